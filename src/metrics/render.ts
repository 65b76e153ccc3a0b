/**
 * Pure rendering of a collection to the exposition formats: each collector's families
 * (through its own render), the per-org families the framework adds, and the per-scrape
 * families `vmc_up` and `vmc_collector_success`. Sample lines are the same in the text
 * format and OpenMetrics; headers come from {@link header}.
 */
import type { ActiveCollector } from '../collect/collector.js';
import type { CollectionView, OrgView } from '../collect/engine.js';
import type { SourceView } from '../collect/source-cache.js';
import { escapeLabel, formatValue, header, type ExpositionFormat, type Family } from '../lib/text-format.js';

/** Families the framework renders from the collectors' cache state, after every collector's own. */
export const META_FAMILIES = [
  { name: 'vmc_scrape_duration_seconds', type: 'gauge', help: 'Duration of the last collection of the org from the VMC API, in seconds.' },
  {
    name: 'vmc_last_success_timestamp_seconds',
    type: 'gauge',
    help: 'Unix time of the last successful collection of the org; time() minus this is the age of the data shown.',
  },
  {
    name: 'vmc_collector_duration_seconds',
    type: 'gauge',
    help: 'Duration of the last collection of each collector for the org, in seconds, successful or not.',
  },
] as const satisfies readonly Family[];

/** The per-scrape family `vmc_up`. */
export const UP_FAMILY: Family = {
  name: 'vmc_up',
  type: 'gauge',
  help: '1 if the last collection of the org succeeded, 0 if it failed or did not finish before the scrape deadline. org_id="" reports listing the orgs.',
};

/** The per-scrape family `vmc_collector_success`. */
export const COLLECTOR_SUCCESS_FAMILY: Family = {
  name: 'vmc_collector_success',
  type: 'gauge',
  help: '1 if the last collection of each collector for the org succeeded and none is overdue, else 0. A failing collector affects no other.',
};

/** The `org_id` label pair of an org. */
export function orgLabel(orgId: string): string {
  return `org_id="${escapeLabel(orgId)}"`;
}

const NOTHING = Buffer.alloc(0);

/**
 * Renders one collector's families for one org: the UTF-8 bytes of each family, encoded
 * once here; every body that shows them sends these very buffers. Absent data renders
 * nothing.
 */
export function renderSource(active: ActiveCollector, orgId: string, view: SourceView): Buffer[] {
  const families = active.definition.families;
  if (view.data === undefined) return families.map(() => NOTHING);
  const out = families.map((): string[] => []);
  active.definition.render(view.data, { org: orgLabel(orgId), out });
  return out.map((lines) => (lines.length === 0 ? NOTHING : Buffer.from(lines.join(''), 'utf8')));
}

/** Renders the {@link META_FAMILIES} of one org: one string per family. */
export function renderMeta(collectors: readonly ActiveCollector[], org: OrgView): string[] {
  const label = orgLabel(org.orgId);
  const primary = org.primary;
  const duration = primary?.durationSeconds !== undefined ? `vmc_scrape_duration_seconds{${label}} ${formatValue(primary.durationSeconds)}\n` : '';
  const last = primary?.lastSuccessSeconds !== undefined ? `vmc_last_success_timestamp_seconds{${label}} ${formatValue(primary.lastSuccessSeconds)}\n` : '';
  let perCollector = '';
  org.sources.forEach((s, i) => {
    if (s?.durationSeconds === undefined) return;
    perCollector += `vmc_collector_duration_seconds{${label},collector="${collectors[i]!.definition.name}"} ${formatValue(s.durationSeconds)}\n`;
  });
  return [duration, last, perCollector];
}

/** Renders `vmc_up` and `vmc_collector_success`, which can change on every scrape. */
export function renderUp(view: CollectionView, format: ExpositionFormat = 'text'): string {
  let up = header(UP_FAMILY, format);
  if (view.orgListFailed) up += 'vmc_up{org_id=""} 0\n';
  for (const o of view.orgs) up += `vmc_up{${orgLabel(o.orgId)}} ${o.up ? 1 : 0}\n`;
  let success = '';
  for (const o of view.exporter ? [...view.orgs, view.exporter] : view.orgs) {
    const label = orgLabel(o.orgId);
    o.sources.forEach((s, i) => {
      if (s !== undefined) success += `vmc_collector_success{${label},collector="${view.collectors[i]!.definition.name}"} ${s.up ? 1 : 0}\n`;
    });
  }
  return success === '' ? up : up + header(COLLECTOR_SUCCESS_FAMILY, format) + success;
}
