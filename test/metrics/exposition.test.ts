import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { describe, test } from 'node:test';
import { defineCollector, type ActiveCollector } from '../../src/collect/collector.js';
import { sddcsCollector } from '../../src/collect/collectors/sddcs.js';
import type { CollectionView, OrgView } from '../../src/collect/engine.js';
import type { SourceView } from '../../src/collect/source-cache.js';
import { header } from '../../src/lib/text-format.js';
import { ExpositionCache } from '../../src/metrics/exposition.js';
import { renderUp } from '../../src/metrics/render.js';
import { ScrapeTail } from '../../src/metrics/scrape-tail.js';
import { SelfMetrics } from '../../src/metrics/self-metrics.js';
import { parseSddcList } from '../../src/vmc/parse-sddcs.js';

/** A collector that counts its renders. */
function countingCollector(): { active: ActiveCollector; renders: () => number } {
  let renders = 0;
  const definition = defineCollector<number>({
    name: 'counting',
    help: 'test',
    defaultEnabled: true,
    defaultTtl: '60',
    families: [{ name: 'test_value', type: 'gauge', help: 'A "quoted" help.' }],
    fetch: async () => 1,
    render: (n, { org, out }) => {
      renders++;
      out[0]!.push(`test_value{${org}} ${n}\n`);
    },
  });
  return { active: { definition, ttlMs: 60_000, options: {} }, renders: () => renders };
}

const source = (data: unknown, key: string, up = true): SourceView => ({ up, data, durationSeconds: 0.5, lastSuccessSeconds: 1000, key });

function viewOf(collectors: ActiveCollector[], orgs: Array<[string, SourceView[]]>): CollectionView {
  return {
    collectors,
    orgs: orgs.map(([orgId, sources]): OrgView => ({ orgId, sources, up: sources.every((s) => s.up), primary: undefined })),
    exporter: undefined,
    orgListFailed: false,
  };
}

describe('ExpositionCache', () => {
  test('renders each (org, collector) fragment once per data version, and re-renders only what changed', () => {
    const { active, renders } = countingCollector();
    const cache = new ExpositionCache();
    const first = cache.body(viewOf([active], [['a', [source(1, 'a1')]], ['b', [source(2, 'b1')]]]));
    assert.equal(renders(), 2);
    assert.equal(cache.body(viewOf([active], [['a', [source(1, 'a1')]], ['b', [source(2, 'b1')]]])), first, 'the same body object');
    assert.equal(renders(), 2);
    cache.body(viewOf([active], [['a', [source(1, 'a1')]], ['b', [source(3, 'b2')]]]));
    assert.equal(renders(), 3, 'only org b re-rendered');
  });

  test('text and OpenMetrics bodies differ only in the HELP escaping; neither carries # EOF (the tail does)', () => {
    const { active } = countingCollector();
    const cache = new ExpositionCache();
    const view = viewOf([active], [['a', [source(1, 'k')]]]);
    const text = cache.body(view, 'text').plain.toString();
    const om = cache.body(view, 'openmetrics').plain.toString();
    assert.match(text, /# HELP test_value A "quoted" help\.\n/);
    assert.match(om, /# HELP test_value A \\"quoted\\" help\.\n/);
    assert.equal(text.replace(/\\"/g, '"'), om.replace(/\\"/g, '"'));
    assert.doesNotMatch(om, /# EOF/);
  });

  test('a source without data renders no series but its duration; families without samples have no header', () => {
    const { active } = countingCollector();
    const text = new ExpositionCache().body(viewOf([active], [['a', [source(undefined, 'k', false)]]])).plain.toString();
    assert.doesNotMatch(text, /test_value/);
    assert.match(text, /vmc_collector_duration_seconds\{org_id="a",collector="counting"\} 0\.5\n/);
  });

  test('the gzipped body is the plain body, compressed once', async () => {
    const { active } = countingCollector();
    const body = new ExpositionCache().body(viewOf([active], [['a', [source(1, 'k')]]]));
    const gz = await body.gzipped();
    assert.equal(await body.gzipped(), gz);
    assert.deepEqual(gunzipSync(gz), body.plain);
  });

  test('state sets: a missing state is UNKNOWN, an unknown one passes through, never state=""', () => {
    const list = parseSddcList([
      { id: 's1', sddc_state: '', resource_config: { clusters: [{ cluster_id: 'c1', cluster_state: 'RESIZING', esx_host_list: [{ esx_state: '' }, { esx_state: 'READY' }] }] } },
      { id: 's2', sddc_state: 'HIBERNATING' },
    ]);
    const view = viewOf([{ definition: sddcsCollector, ttlMs: 60_000, options: {} }], [['o', [source(list, 'k')]]]);
    const text = new ExpositionCache().body(view).plain.toString();
    assert.doesNotMatch(text, /state=""/);
    assert.match(text, /vmc_sddc_state\{org_id="o",sddc_id="s1",state="UNKNOWN"\} 1/);
    assert.match(text, /vmc_sddc_state\{org_id="o",sddc_id="s2",state="HIBERNATING"\} 1/);
    assert.match(text, /vmc_sddcs\{org_id="o",state="UNKNOWN"\} 1/);
    assert.match(text, /vmc_cluster_state\{org_id="o",sddc_id="s1",cluster_id="c1",state="RESIZING"\} 1/);
    assert.match(text, /vmc_sddc_hosts\{org_id="o",sddc_id="s1",state="UNKNOWN"\} 1/);
  });
});

describe('header', () => {
  test('escapes backslash and line feed in both formats, the double quote in OpenMetrics only', () => {
    const f = { name: 'x', type: 'gauge', help: 'a\\b\nc "d"' } as const;
    assert.equal(header(f, 'text'), '# HELP x a\\\\b\\nc "d"\n# TYPE x gauge\n');
    assert.equal(header(f, 'openmetrics'), '# HELP x a\\\\b\\nc \\"d\\"\n# TYPE x gauge\n');
  });
});

describe('ScrapeTail', () => {
  test('re-rendered only when vmc_up or a self metric changes, or after its maximum age; per format', async () => {
    const self = new SelfMetrics('t', false);
    let now = 0;
    const tail = new ScrapeTail(self, 1000, () => now);
    const { active } = countingCollector();
    const view = viewOf([active], [['a', [source(1, 'k')]]]);
    const t1 = await tail.get(view);
    assert.equal(await tail.get(view), t1, 'reused');
    self.requestDone('sddcs', '200', 0.1);
    const t2 = await tail.get(view);
    assert.notEqual(t2, t1, 'a counted request renders it again');
    now = 1500;
    assert.notEqual(await tail.get(view), t2, 'older than its maximum age');
    const om = await tail.get(view, 'openmetrics');
    assert.ok(om.plain.toString().endsWith('# EOF\n'));
    assert.match(om.plain.toString(), /# TYPE vmc_api_requests counter\nvmc_api_requests_total\{endpoint="sddcs",code="200"\} 1/);
    assert.match((await tail.get(view, 'text')).plain.toString(), /# TYPE vmc_api_requests_total counter\nvmc_api_requests_total\{endpoint="sddcs",code="200"\} 1/);
  });

  test('vmc_up and vmc_collector_success are rendered per scrape from the view', () => {
    const { active } = countingCollector();
    const text = renderUp({ ...viewOf([active], [['a', [source(1, 'k', false)]]]), orgListFailed: true });
    assert.match(text, /vmc_up\{org_id=""\} 0\nvmc_up\{org_id="a"\} 0\n/);
    assert.match(text, /vmc_collector_success\{org_id="a",collector="counting"\} 0\n/);
  });
});
