/**
 * The status page (`/`) in real headless Chromium: its tables match the simulator's estate,
 * a failing collector shows its (scrubbed) last error, loading it never starts a collection,
 * and hostile org ids, org names and state values are shown as text, never as markup. A
 * screenshot is saved under the test's temp folder and its path printed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import express from 'express';
import { escapeHtml, renderStatusPage, type StatusModel } from '../../src/http/status-page.js';
import { systemClock } from '../../src/lib/clock.js';
import { DOCS_BASE_URL } from '../../src/lib/docs-links.js';
import { demoEstate } from '../../sim/src/demo-estate.js';
import { Estate, type JsonObject } from '../../sim/src/estate.js';
import { startHarness, type Harness } from '../helpers/exporter-harness.js';
import { dumpDom, screenshot } from './lib/chromium.js';
import { requireTools } from './lib/tools.js';

type Json = Record<string, unknown>;

/** The SDDC and host tallies an org should show, computed straight from the raw JSON. */
function expectedTallies(sddcs: Json[]): { sddcs: Map<string, number>; hosts: Map<string, number> } {
  const bySddc = new Map<string, number>();
  const byHost = new Map<string, number>();
  for (const s of sddcs) {
    const state = (s['sddc_state'] as string) || 'UNKNOWN';
    bySddc.set(state, (bySddc.get(state) ?? 0) + 1);
    const clusters = ((s['resource_config'] as Json | null)?.['clusters'] as Json[] | undefined) ?? [];
    for (const c of clusters) {
      for (const h of (c['esx_host_list'] as Json[] | undefined) ?? []) {
        const hs = (h['esx_state'] as string) || 'UNKNOWN';
        byHost.set(hs, (byHost.get(hs) ?? 0) + 1);
      }
    }
  }
  return { sddcs: bySddc, hosts: byHost };
}

/** The cells of the org row for `orgId` in the dumped DOM. */
function orgRow(dom: string, orgId: string): string[] {
  const m = new RegExp(`<tr data-org="${escapeHtml(orgId).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}">(.*?)</tr>`).exec(dom);
  assert.ok(m, `a row for org ${orgId}`);
  return [...m[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[0]);
}

/** (state, count) pairs of the tallies in one cell. */
function tallies(cell: string): Map<string, number> {
  return new Map([...cell.matchAll(/<span class="tally" data-state="([^"]*)">[^<]*?&nbsp;(\d+)<\/span>/g)].map((m) => [m[1]!, Number(m[2])]));
}

describe('status page in headless Chromium', () => {
  let h: Harness | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'vmc-status-page-'));
  after(async () => {
    await h?.close();
  });

  test('shows each org, vmc_up, last success, SDDCs and hosts by state as the estate has them, and a failing collector\'s scrubbed error', async (t) => {
    const tools = requireTools(t, 'chromium');
    if (!tools) return;
    h = await startHarness({ flags: ['--cache.ttl=60s'] });
    const [good, failing] = h.orgs as [string, string];
    const page = `${h.exporter.url}/`;

    // Before any scrape: the configured orgs, not collected yet, and no upstream call for the page.
    const first = await dumpDom(tools['chromium']!, page);
    assert.equal(h.sim.stats.toJSON().sddcListRequests[good] ?? 0, 0, 'loading the page collected nothing');
    assert.match(orgRow(first, good)[1]!, /not collected yet/);

    const secret = h.sim.credentials.clientSecret;
    h.sim.addFault({ endpoint: 'sddcs', org: failing, status: 503, body: JSON.stringify({ error_code: 'unavailable', error_messages: [`backend down; echoing client secret ${secret}`] }) });
    const scrape = await h.scrape();
    assert.equal(scrape.value('vmc_up', { org_id: good }), 1);
    assert.equal(scrape.value('vmc_up', { org_id: failing }), 0);
    const calls = h.sim.stats.toJSON().sddcListRequests[good];

    const dom = await dumpDom(tools['chromium']!, page);
    assert.equal(h.sim.stats.toJSON().sddcListRequests[good], calls, 'loading the page started no collection');
    const estate = expectedTallies(JSON.parse(h.sim.estate.body(good, {}).toString('utf8')) as Json[]);
    const cells = orgRow(dom, good);
    assert.match(cells[1]!, /data-up="1"/);
    assert.match(cells[2]!, /<time datetime="\d{4}-\d\d-\d\dT[\d:]+Z">/, 'last success with its time');
    assert.match(cells[2]!, /\(\d+s ago\)/, 'and its age');
    assert.deepEqual(tallies(cells[3]!), estate.sddcs, 'SDDCs by state');
    assert.deepEqual(tallies(cells[4]!), estate.hosts, 'hosts by state');
    assert.match(cells[5]!, /\(in 29m \d+s\)/, 'the cached token expires in about 30 minutes');

    const down = orgRow(dom, failing);
    assert.match(down[1]!, /data-up="0"/);
    assert.match(down[2]!, /never/);
    assert.match(dom, /HTTP 503 \(unavailable: backend down; echoing client secret \[REDACTED\]\)/, 'the last error, scrubbed');
    for (const s of h.sim.secrets()) assert.ok(!dom.includes(s), 'no secret on the page');
    assert.match(dom, /<a href="\/metrics">Metrics<\/a>/);
    assert.match(dom, new RegExp(`<a href="/probe\\?target=${good}">`));
    assert.ok(dom.includes(`<a href="${DOCS_BASE_URL}docs/runbook.md">`), 'the docs under the one docs base URL');
    assert.doesNotMatch(dom, /<script|<link|src="http/i, 'no script, no external asset');

    const png = join(dir, 'status-page.png');
    await screenshot(tools['chromium']!, page, png);
    assert.deepEqual([...readFileSync(png).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
    t.diagnostic(`status page screenshot: ${png}`);
    console.log(`status page screenshot: ${png}`);
  });
});

describe('status page escaping in headless Chromium', () => {
  const HOSTILE_ID = '"><img src=x onerror=alert(1)>';
  const HOSTILE_NAME = '<script>alert("name")</script>';
  const HOSTILE_STATE = "READY' onmouseover='alert(2)";
  let h: Harness | undefined;
  let server: import('node:http').Server | undefined;
  after(async () => {
    await h?.close();
    if (server) await new Promise((r) => server!.close(r));
  });

  /** Every element of the serialized DOM with its attribute names (quoted values skipped). */
  function elements(dom: string): Array<{ tag: string; attrs: string[] }> {
    const tag = /<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*)\s*\/?>/g;
    const attr = /([^\s"'>/=]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?/g;
    return [...dom.matchAll(tag)].map((m) => ({ tag: m[1]!.toLowerCase(), attrs: [...(m[2] ?? '').matchAll(attr)].map((a) => a[1]!.toLowerCase()) }));
  }
  const noInjection = (dom: string): void => {
    const els = elements(dom);
    assert.ok(els.some((e) => e.tag === 'table'), 'the page has its tables');
    assert.deepEqual(els.filter((e) => ['script', 'img', 'iframe', 'u', 'b'].includes(e.tag)).map((e) => e.tag), [], 'no injected element');
    assert.deepEqual(els.flatMap((e) => e.attrs.filter((a) => a.startsWith('on'))), [], 'no event handler attribute');
  };

  test('hostile org ids and SDDC states from the upstream are text (discovered orgs, end to end)', async (t) => {
    const tools = requireTools(t, 'chromium');
    if (!tools) return;
    const demo = demoEstate(systemClock);
    const template = (JSON.parse(demo.body(demo.orgIds()[0]!, {}).toString('utf8')) as JsonObject[])[0]!;
    const estate = new Estate({
      orgs: [{ id: HOSTILE_ID, name: 'x', display_name: HOSTILE_NAME }],
      sddcs: { [HOSTILE_ID]: [{ ...template, name: HOSTILE_NAME, sddc_state: HOSTILE_STATE }] },
    });
    h = await startHarness({ orgs: [], sim: { estate } });
    const scrape = await h.scrape();
    assert.equal(scrape.all('vmc_up').length, 1);
    const dom = await dumpDom(tools['chromium']!, `${h.exporter.url}/`);
    noInjection(dom);
    assert.ok(dom.includes('&lt;img src=x onerror=alert(1)&gt;'), 'the org id is text');
    assert.ok(dom.includes(`data-state="READY' onmouseover='alert(2)"`) || dom.includes('data-state="READY&#39; onmouseover=&#39;alert(2)"'), 'the state stays inside its attribute');
  });

  test('a hostile org name and error message are text', async (t) => {
    const tools = requireTools(t, 'chromium');
    if (!tools) return;
    const model: StatusModel = {
      version: '1.0.0"><b>',
      nowMs: Date.UTC(2026, 5, 1, 12),
      telemetryPath: '/metrics',
      probePath: '/probe',
      docsBaseUrl: 'https://example.invalid/',
      discovered: true,
      orgListFailed: true,
      orgs: [
        {
          id: HOSTILE_ID,
          name: HOSTILE_NAME,
          up: false,
          lastSuccessMs: undefined,
          tokenExpiresMs: undefined,
          collectors: [{ name: 'sddcs', up: false, lastSuccessMs: undefined, lastError: '<iframe src="javascript:alert(3)"></iframe>' }],
          counts: [{ title: '<u>SDDCs</u>', counts: [[HOSTILE_STATE, 1]] }],
        },
      ],
      exporterWide: [],
    };
    const app = express();
    app.get('/', (_req, res) => void res.type('text/html').send(renderStatusPage(model)));
    const listening = app.listen(0, '127.0.0.1');
    server = listening;
    await new Promise((r) => listening.once('listening', r));
    const dom = await dumpDom(tools['chromium']!, `http://127.0.0.1:${(listening.address() as AddressInfo).port}/`);
    noInjection(dom);
    assert.ok(dom.includes('&lt;script&gt;alert("name")&lt;/script&gt;'), 'the name is text');
    assert.ok(dom.includes('&lt;iframe src="javascript:alert(3)"&gt;&lt;/iframe&gt;'), 'the error is text');
    assert.ok(dom.includes(`href="/probe?target=${encodeURIComponent(HOSTILE_ID)}"`), 'the probe link encodes the id');
  });
});
