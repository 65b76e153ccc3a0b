/**
 * The status page at `/`: what an operator wants at a glance, server-rendered HTML with no
 * script and no external asset. Each org (name and id), `vmc_up`, the last success and its
 * age, each collector's last error (scrubbed at the source), the collectors' tallies (SDDCs
 * and hosts by state), the cached token's expiry, and links to the metrics, probe examples
 * and the docs. It reads the engine's current view and the token pool's cache: loading the
 * page never starts a collection or a token request. Every value is HTML-escaped.
 */
import type { RequestHandler } from 'express';
import type { CollectionView } from '../collect/engine.js';
import type { Clock } from '../lib/clock.js';
import { DOCS_BASE_URL } from '../lib/docs-links.js';

/** What the page reads. */
export interface StatusPageSources {
  /** The engine's current view, without refreshing (`CollectionEngine.snapshot`). */
  readonly view: () => CollectionView;
  /** When the cached token for an org expires (clock ms), without requesting one. */
  readonly tokenExpiry: (orgId: string) => number | undefined;
  /** Time source for ages. */
  readonly clock: Clock;
  /** Exporter version. */
  readonly version: string;
  /** `--web.telemetry-path`. */
  readonly telemetryPath: string;
  /** The probe path. @default `/probe` */
  readonly probePath?: string;
  /** `--vmc.org`, shown as "not collected yet" until the first scrape; empty = discovered. */
  readonly configuredOrgs: readonly string[];
  /** Base URL of the docs links. @default {@link DOCS_BASE_URL} */
  readonly docsBaseUrl?: string;
}

/** One collector of one org on the page. */
export interface CollectorStatus {
  readonly name: string;
  readonly up: boolean;
  readonly lastSuccessMs: number | undefined;
  readonly lastError: string | undefined;
}

/** One org on the page. */
export interface OrgStatus {
  readonly id: string;
  readonly name: string | undefined;
  /** `vmc_up`; undefined before the first collection. */
  readonly up: boolean | undefined;
  readonly lastSuccessMs: number | undefined;
  readonly tokenExpiresMs: number | undefined;
  readonly collectors: readonly CollectorStatus[];
  readonly counts: ReadonlyArray<{ readonly title: string; readonly counts: ReadonlyArray<readonly [string, number]> }>;
}

/** Everything the page shows. */
export interface StatusModel {
  readonly version: string;
  readonly nowMs: number;
  readonly telemetryPath: string;
  readonly probePath: string;
  readonly docsBaseUrl: string;
  readonly discovered: boolean;
  /** `vmc_up{org_id=""} 0`: the org list could not be fetched. */
  readonly orgListFailed: boolean;
  readonly orgs: readonly OrgStatus[];
  /** The exporter-wide collectors (`org_id=""`), if any. */
  readonly exporterWide: readonly CollectorStatus[];
}

/** Builds the page's model from the current view; pure apart from reading the sources. */
export function statusModel(src: StatusPageSources): StatusModel {
  const view = src.view();
  const collectorsOf = (sources: CollectionView['orgs'][number]['sources']): CollectorStatus[] =>
    sources.flatMap((s, i) =>
      s === undefined
        ? []
        : [{ name: view.collectors[i]!.definition.name, up: s.up, lastSuccessMs: s.lastSuccessSeconds === undefined ? undefined : s.lastSuccessSeconds * 1000, lastError: s.lastError }],
    );
  const orgs: OrgStatus[] = view.orgs.map((o) => {
    let name: string | undefined;
    const counts: Array<OrgStatus['counts'][number]> = [];
    o.sources.forEach((s, i) => {
      const def = view.collectors[i]!.definition;
      if (s?.data === undefined || def.status === undefined) return;
      const part = def.status(s.data);
      name ??= part.orgName;
      counts.push(...(part.counts ?? []));
    });
    return {
      id: o.orgId,
      name,
      up: o.up,
      lastSuccessMs: o.primary?.lastSuccessSeconds === undefined ? undefined : o.primary.lastSuccessSeconds * 1000,
      tokenExpiresMs: src.tokenExpiry(o.orgId),
      collectors: collectorsOf(o.sources),
      counts,
    };
  });
  const seen = new Set(orgs.map((o) => o.id));
  for (const id of src.configuredOrgs) {
    if (!seen.has(id)) orgs.push({ id, name: undefined, up: undefined, lastSuccessMs: undefined, tokenExpiresMs: src.tokenExpiry(id), collectors: [], counts: [] });
  }
  orgs.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    version: src.version,
    nowMs: src.clock.now(),
    telemetryPath: src.telemetryPath,
    probePath: src.probePath ?? '/probe',
    docsBaseUrl: src.docsBaseUrl ?? DOCS_BASE_URL,
    discovered: src.configuredOrgs.length === 0,
    orgListFailed: view.orgListFailed,
    orgs,
    exporterWide: view.exporter ? collectorsOf(view.exporter.sources) : [],
  };
}

/** Escapes text for HTML content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** `42s`, `5m 3s`, `2h 10m`, `3d 4h`. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function when(ms: number | undefined, now: number, none: string): string {
  if (ms === undefined) return `<span class="muted">${escapeHtml(none)}</span>`;
  const delta = ms - now;
  const rel = delta <= 0 ? `${formatAge(-delta)} ago` : `in ${formatAge(delta)}`;
  return `<time datetime="${escapeHtml(iso(ms))}">${escapeHtml(iso(ms))}</time> <span class="muted">(${escapeHtml(rel)})</span>`;
}

function upCell(up: boolean | undefined): string {
  if (up === undefined) return '<td class="pending" data-up="">not collected yet</td>';
  return up ? '<td class="up" data-up="1">1 up</td>' : '<td class="down" data-up="0">0 down</td>';
}

function tallies(counts: ReadonlyArray<readonly [string, number]> | undefined): string {
  if (counts === undefined) return '<span class="muted">unknown</span>';
  if (counts.length === 0) return '<span class="muted">none</span>';
  return counts.map(([label, n]) => `<span class="tally" data-state="${escapeHtml(label)}">${escapeHtml(label)}&nbsp;${n}</span>`).join(' ');
}

function collectorRows(orgLabel: string, collectors: readonly CollectorStatus[], now: number): string[] {
  return collectors.map(
    (c) =>
      `<tr><td>${orgLabel}</td><td><code>${escapeHtml(c.name)}</code></td>${upCell(c.up)}<td>${when(c.lastSuccessMs, now, 'never')}</td>` +
      `<td class="error">${c.lastError === undefined ? '<span class="muted">none</span>' : escapeHtml(c.lastError)}</td></tr>`,
  );
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5rem;color:#1d2733;background:#fff}
h1{font-size:1.4rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border:1px solid #d5dbe1;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eef2f5}code{font-size:.85rem}.muted{color:#6b7785}.up{background:#e3f4e6}.down{background:#fbe3e1;font-weight:600}
.pending{background:#fff6dc}.error{font-family:ui-monospace,monospace;font-size:.8rem;word-break:break-word}.tally{display:inline-block;margin-right:.5rem;white-space:nowrap}
.banner{padding:.5rem .75rem;background:#fbe3e1;border:1px solid #e0a9a4;margin:.75rem 0}ul{margin:.25rem 0}`;

/**
 * Renders the page.
 *
 * @param m - the model
 * @returns a whole HTML document
 */
export function renderStatusPage(m: StatusModel): string {
  const now = m.nowMs;
  const orgLabel = (o: OrgStatus): string =>
    o.name === undefined ? `<code>${escapeHtml(o.id)}</code>` : `${escapeHtml(o.name)}<br><code class="muted">${escapeHtml(o.id)}</code>`;
  const down = m.orgs.filter((o) => o.up === false).length;
  const summary = `${m.orgs.length} org${m.orgs.length === 1 ? '' : 's'} (${m.discovered ? 'discovered' : 'from --vmc.org'}), ${down} down`;
  const titles = [...new Set(m.orgs.flatMap((o) => o.counts.map((c) => c.title)))];
  const orgRows = m.orgs.map(
    (o) =>
      `<tr data-org="${escapeHtml(o.id)}"><td>${orgLabel(o)}</td>${upCell(o.up)}<td>${when(o.lastSuccessMs, now, 'never')}</td>` +
      titles.map((t) => `<td>${tallies(o.counts.find((c) => c.title === t)?.counts)}</td>`).join('') +
      `<td>${when(o.tokenExpiresMs, now, 'no token cached')}</td></tr>`,
  );
  const collectorTable = [
    ...m.orgs.flatMap((o) => collectorRows(orgLabel(o), o.collectors, now)),
    ...collectorRows('<span class="muted">exporter-wide</span>', m.exporterWide, now),
  ];
  const probeExamples = (m.orgs.length > 0 ? m.orgs.slice(0, 3).map((o) => o.id) : ['ORG_ID']).map((id) => {
    const href = `${m.probePath}?target=${encodeURIComponent(id)}`;
    return `<li><a href="${escapeHtml(href)}"><code>${escapeHtml(href)}</code></a></li>`;
  });
  const docs = [
    ['README.md', 'User manual'],
    ['docs/runbook.md', 'Runbook: every alert'],
    ['docs/metrics.md', 'Metrics'],
    ['docs/flags.md', 'Flags'],
  ].map(([file, label]) => `<li><a href="${escapeHtml(m.docsBaseUrl + file!)}">${escapeHtml(label!)}</a></li>`);
  const empty = m.orgs.length === 0 ? `<p class="muted">No org collected yet: the first scrape of <a href="${escapeHtml(m.telemetryPath)}">${escapeHtml(m.telemetryPath)}</a> collects (this page never starts a collection).</p>` : '';
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>VMC Exporter</title><style>${STYLE}</style></head><body>`,
    `<h1>VMC Exporter</h1><p class="muted">Prometheus exporter for VMware Cloud on AWS, version ${escapeHtml(m.version)}. ` +
      `As of <time datetime="${escapeHtml(iso(now))}">${escapeHtml(iso(now))}</time>: <span id="summary">${escapeHtml(summary)}</span>.</p>`,
    m.orgListFailed ? '<p class="banner" id="org-list-failed">Listing the orgs fails (<code>vmc_up{org_id=""} 0</code>): see the log and run <code>vmc-exporter check</code>.</p>' : '',
    '<h2>Orgs</h2>',
    empty,
    m.orgs.length > 0
      ? `<table id="orgs"><thead><tr><th>Org</th><th>vmc_up</th><th>Last success</th>${titles.map((t) => `<th>${escapeHtml(t)}</th>`).join('')}<th>Token expires</th></tr></thead><tbody>${orgRows.join('')}</tbody></table>`
      : '',
    collectorTable.length > 0
      ? `<h2>Collectors</h2><table id="collectors"><thead><tr><th>Org</th><th>Collector</th><th>Success</th><th>Last success</th><th>Last error</th></tr></thead><tbody>${collectorTable.join('')}</tbody></table>`
      : '',
    '<h2>Links</h2><ul>',
    `<li><a href="${escapeHtml(m.telemetryPath)}">Metrics</a> (<code>${escapeHtml(m.telemetryPath)}</code>)</li>`,
    '<li><a href="/-/healthy">Health</a> and <a href="/-/ready">readiness</a></li>',
    `<li>Probe one org:<ul>${probeExamples.join('')}</ul></li>`,
    `<li>Docs:<ul>${docs.join('')}</ul></li>`,
    '</ul></body></html>',
    '',
  ].join('\n');
}

/** The route for `/`: renders {@link statusModel} of `src` on each request. */
export function createStatusHandler(src: StatusPageSources): RequestHandler {
  return (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.type('text/html; charset=utf-8').send(renderStatusPage(statusModel(src)));
  };
}
