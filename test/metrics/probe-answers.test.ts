/**
 * Probe answers come from the same per-(org, collector) fragments as the telemetry body,
 * are reused while the org's view is unchanged, and are bounded per org.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TokenManager } from '../../src/auth/token-manager.js';
import { defineCollector } from '../../src/collect/collector.js';
import { sddcsCollector } from '../../src/collect/collectors/sddcs.js';
import { CollectionEngine } from '../../src/collect/engine.js';
import { StaticOrgs } from '../../src/collect/org-discovery.js';
import { ManualClock } from '../../src/lib/clock.js';
import { ExpositionCache, PROBE_ANSWERS_PER_ORG } from '../../src/metrics/exposition.js';
import { parseSddcList } from '../../src/vmc/parse-sddcs.js';
import type { SddcList } from '../../src/vmc/types.js';
import type { VmcClient } from '../../src/vmc/vmc-client.js';
import { captureLogger } from '../helpers/log-sink.js';

const never = new Promise<void>(() => undefined);

function setup() {
  const clock = new ManualClock();
  const renders = { sddcs: 0, extra: 0 };
  let failExtra = false;
  const sddcs = {
    ...sddcsCollector,
    fetch: async () => parseSddcList([{ id: 's1', name: 'n1', sddc_state: 'READY', resource_config: { clusters: [] } }]),
    render: (data: unknown, ctx: Parameters<typeof sddcsCollector.render>[1]) => {
      renders.sddcs++;
      sddcsCollector.render(data as SddcList, ctx);
    },
  };
  const extra = defineCollector<number>({
    name: 'extra',
    help: 'test',
    defaultEnabled: true,
    defaultTtl: '60',
    families: [{ name: 'test_extra', type: 'gauge', help: 'test' }],
    fetch: async () => {
      if (failExtra) throw new Error('down');
      return 7;
    },
    render: (n, { org, out }) => {
      renders.extra++;
      out[0]!.push(`test_extra{${org}} ${n}\n`);
    },
  });
  const engine = new CollectionEngine({
    collectors: [
      { definition: sddcs, ttlMs: 60_000, options: {} },
      { definition: extra, ttlMs: 60_000, options: {} },
    ],
    primary: 'sddcs',
    orgs: new StaticOrgs(['a', 'b']),
    vmc: {} as VmcClient,
    tokens: () => ({}) as TokenManager,
    clock,
    maxStaleMs: 0,
    logger: captureLogger().logger,
  });
  return { engine, clock, renders, cache: new ExpositionCache(), failExtra: () => (failExtra = true) };
}

describe('probe answers', () => {
  test('share the fragments of the telemetry body: each (org, collector) is rendered once per data change', async () => {
    const { engine, cache, renders } = setup();
    const full = cache.body(await engine.collect(never)).plain.toString();
    assert.deepEqual(renders, { sddcs: 2, extra: 2 });
    const one = cache.probe(await engine.collect(never, { orgs: ['a'] }));
    const only = cache.probe(await engine.collect(never, { orgs: ['a'], collectors: new Set(['extra']) }));
    assert.deepEqual(renders, { sddcs: 2, extra: 2 }, 'no fragment rendered again');
    const text = one.body.plain.toString();
    assert.ok(full.includes('test_extra{org_id="a"} 7'));
    assert.match(text, /vmc_sddc_info\{org_id="a"/);
    assert.doesNotMatch(text, /org_id="b"/);
    assert.match(one.tail.plain.toString(), /^# HELP vmc_up .*\n# TYPE vmc_up gauge\nvmc_up\{org_id="a"\} 1\n/);
    assert.doesNotMatch(only.body.plain.toString(), /vmc_sddc/, 'collector=extra leaves the SDDC families out');
    assert.match(only.body.plain.toString(), /test_extra\{org_id="a"\} 7/);
    assert.doesNotMatch(only.body.plain.toString(), /collector="sddcs"/);
  });

  test('the same bytes while the view is unchanged; new ones when the data or vmc_up changes', async () => {
    const { engine, cache, clock, failExtra } = setup();
    const first = cache.probe(await engine.collect(never, { orgs: ['a'] }));
    const second = cache.probe(await engine.collect(never, { orgs: ['a'] }));
    assert.equal(second.body, first.body);
    assert.equal(second.tail, first.tail);
    failExtra();
    clock.advance(60_000);
    const third = cache.probe(await engine.collect(never, { orgs: ['a'] }));
    assert.notEqual(third.body, first.body, 'a new collection re-renders');
    assert.match(third.tail.plain.toString(), /vmc_collector_success\{org_id="a",collector="extra"\} 0/);
  });

  test('OpenMetrics answers end in # EOF; the text format has none', async () => {
    const { engine, cache } = setup();
    const view = await engine.collect(never, { orgs: ['a'] });
    assert.ok(cache.probe(view, 'openmetrics').tail.plain.toString().endsWith('# EOF\n'));
    assert.doesNotMatch(cache.probe(view, 'text').tail.plain.toString(), /# EOF/);
  });

  test(`at most ${PROBE_ANSWERS_PER_ORG} answers per org: cycling through collector sets and formats evicts the least recently used`, async () => {
    const { engine, cache } = setup();
    const sets = [undefined, new Set(['sddcs']), new Set(['extra'])];
    const answers = [];
    for (const format of ['text', 'openmetrics'] as const) {
      for (const collectors of sets) {
        const view = await engine.collect(never, { orgs: ['a'], ...(collectors ? { collectors } : {}) });
        answers.push({ format, collectors, body: cache.probe(view, format).body });
      }
    }
    const latest = answers[answers.length - 1]!;
    const again = cache.probe(await engine.collect(never, { orgs: ['a'], collectors: latest.collectors! }), latest.format);
    assert.equal(again.body, latest.body, 'a recent answer is kept');
    const oldest = answers[0]!;
    const rebuilt = cache.probe(await engine.collect(never, { orgs: ['a'] }), oldest.format);
    assert.notEqual(rebuilt.body, oldest.body, 'the least recently used answer was dropped');
    assert.deepEqual(rebuilt.body.plain, oldest.body.plain, 'and renders to the same bytes');
  });
});
