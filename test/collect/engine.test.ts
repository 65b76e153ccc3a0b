import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TokenManager } from '../../src/auth/token-manager.js';
import { defineCollector, type CollectorDefinition } from '../../src/collect/collector.js';
import { sddcsCollector } from '../../src/collect/collectors/sddcs.js';
import { CollectionEngine, type OrgView } from '../../src/collect/engine.js';
import { StaticOrgs, DiscoveredOrgs, type OrgSource } from '../../src/collect/org-discovery.js';
import { ManualClock } from '../../src/lib/clock.js';
import type { Logger } from 'pino';
import { ExpositionCache } from '../../src/metrics/exposition.js';
import { renderUp } from '../../src/metrics/render.js';
import { UpstreamError } from '../../src/upstream/errors.js';
import { parseSddcList } from '../../src/vmc/parse-sddcs.js';
import type { SddcList } from '../../src/vmc/types.js';
import type { VmcClient } from '../../src/vmc/vmc-client.js';
import { captureLogger } from '../helpers/log-sink.js';

const list = (...ids: string[]): SddcList =>
  parseSddcList(ids.map((id) => ({ id, name: `n-${id}`, sddc_state: 'READY', resource_config: { clusters: [] } })));

/** A deadline the test fires by hand, and one that never fires. */
function manualDeadline() {
  let fire!: () => void;
  const promise = new Promise<void>((r) => (fire = r));
  return { promise, fire };
}
const never = new Promise<void>(() => undefined);

/** The SDDC collector with its fetch replaced; no VMC client or token is used. */
function sddcsWith(fetch: (org: string) => Promise<SddcList>): CollectorDefinition {
  return { ...sddcsCollector, fetch: (ctx) => fetch(ctx.orgId) };
}

/** An engine over `collectors` (default: the SDDC collector fed by `fetch`) with unused VMC and token stand-ins. */
function engineOf(opts: { orgs: OrgSource; clock: ManualClock; logger: Logger; collectors: Array<{ definition: CollectorDefinition; ttlMs: number }>; maxStaleMs?: number }) {
  return new CollectionEngine({
    collectors: opts.collectors.map((c) => ({ ...c, options: {} })),
    primary: 'sddcs',
    orgs: opts.orgs,
    vmc: {} as VmcClient,
    tokens: () => ({}) as TokenManager,
    clock: opts.clock,
    maxStaleMs: opts.maxStaleMs ?? 300_000,
    logger: opts.logger,
  });
}

function setup(fetch: (org: string) => Promise<SddcList>, opts: { ttlMs?: number; maxStaleMs?: number; orgs?: string[] } = {}) {
  const clock = new ManualClock();
  const calls = new Map<string, number>();
  const log = captureLogger();
  const definition = sddcsWith((org) => {
    calls.set(org, (calls.get(org) ?? 0) + 1);
    return fetch(org);
  });
  const engine = engineOf({
    orgs: new StaticOrgs(opts.orgs ?? ['org-a', 'org-b']),
    clock,
    logger: log.logger,
    collectors: [{ definition, ttlMs: opts.ttlMs ?? 60_000 }],
    maxStaleMs: opts.maxStaleMs ?? 300_000,
  });
  return { collector: engine, clock, calls, log };
}

/** The SDDC list an org view shows. */
const dataOf = (o: OrgView | undefined): SddcList | undefined => o?.primary?.data as SddcList | undefined;

describe('CollectionEngine', () => {
  test('30 concurrent scrapes cause one upstream fetch per org', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { collector, calls } = setup(async () => (await gate, list('s1')));
    const scrapes = Array.from({ length: 30 }, () => collector.collect(never));
    release();
    const views = await Promise.all(scrapes);
    assert.deepEqual(Object.fromEntries(calls), { 'org-a': 1, 'org-b': 1 });
    assert.ok(views.every((v) => v.orgs.every((o) => o.up && dataOf(o)?.sddcs.length === 1)));
  });

  test('the cache answers within the TTL; after it, one new fetch', async () => {
    const { collector, clock, calls } = setup(async () => list('s1'));
    await collector.collect(never);
    clock.advance(59_000);
    await collector.collect(never);
    assert.equal(calls.get('org-a'), 1);
    clock.advance(1_000);
    await collector.collect(never);
    assert.equal(calls.get('org-a'), 2);
  });

  test('TTL 0 fetches on every scrape', async () => {
    const { collector, calls } = setup(async () => list('s1'), { ttlMs: 0 });
    await collector.collect(never);
    await collector.collect(never);
    assert.equal(calls.get('org-a'), 2);
  });

  test('an SDDC that vanished upstream vanishes from the output', async () => {
    let ids = ['s1', 's2'];
    const { collector, clock } = setup(async () => list(...ids), { orgs: ['org-a'] });
    const cache = new ExpositionCache();
    assert.match(cache.body(await collector.collect(never)).plain.toString(), /sddc_id="s2"/);
    ids = ['s1'];
    clock.advance(60_000);
    const text = cache.body(await collector.collect(never)).plain.toString();
    assert.match(text, /sddc_id="s1"/);
    assert.doesNotMatch(text, /sddc_id="s2"/);
  });

  test('failure: vmc_up 0, last good values served until max-stale after they fell due, then dropped', async () => {
    let fail = false;
    const { collector, clock } = setup(async () => {
      if (fail) throw new UpstreamError('http', 'GET /vmc/api/orgs/org-a/sddcs: HTTP 500', { status: 500 });
      return list('s1');
    }, { orgs: ['org-a'], maxStaleMs: 300_000 });
    const ok = await collector.collect(never);
    assert.equal(ok.orgs[0]?.up, true);
    fail = true;
    clock.advance(60_000);
    const stale = await collector.collect(never);
    assert.equal(stale.orgs[0]?.up, false);
    assert.equal(dataOf(stale.orgs[0])?.sddcs[0]?.id, 's1', 'stale data kept');
    assert.equal(stale.orgs[0]?.primary?.lastSuccessSeconds, Date.UTC(2026, 0, 1) / 1000);
    clock.advance(240_000);
    const stillStale = await collector.collect(never);
    assert.equal(dataOf(stillStale.orgs[0])?.sddcs[0]?.id, 's1', 'max-stale counts from when the data fell due (last success + TTL)');
    clock.advance(60_000);
    const dropped = await collector.collect(never);
    assert.equal(dataOf(dropped.orgs[0]), undefined, 'dropped after max-stale');
    assert.match(renderUp(dropped), /vmc_up\{org_id="org-a"\} 0/);
    fail = false;
    const back = await collector.collect(never);
    assert.equal(back.orgs[0]?.up, true, 'recovers by itself');
  });

  test('max-stale 0 never serves stale values', async () => {
    let fail = false;
    const { collector, clock } = setup(async () => {
      if (fail) throw new Error('boom');
      return list('s1');
    }, { orgs: ['org-a'], maxStaleMs: 0 });
    await collector.collect(never);
    fail = true;
    clock.advance(60_000);
    const v = await collector.collect(never);
    assert.equal(v.orgs[0]?.up, false);
    assert.equal(dataOf(v.orgs[0]), undefined);
  });

  test('the deadline answers with vmc_up 0 while the fetch goes on; the next scrape gets its result', async () => {
    let release!: () => void;
    let calls = 0;
    const { collector, clock } = setup(async () => {
      calls++;
      if (calls === 2) await new Promise<void>((r) => (release = r));
      return list(`s${calls}`);
    }, { orgs: ['org-a'] });
    await collector.collect(never);
    clock.advance(60_000);
    const d = manualDeadline();
    const pending = collector.collect(d.promise);
    d.fire();
    const v = await pending;
    assert.equal(v.orgs[0]?.up, false, 'slow upstream shows as vmc_up 0');
    assert.equal(dataOf(v.orgs[0])?.sddcs[0]?.id, 's1', 'with the last good data');
    const again = collector.collect(never);
    release();
    const fresh = await again;
    assert.equal(calls, 2, 'no second fetch beside the running one');
    assert.equal(fresh.orgs[0]?.up, true);
    assert.equal(dataOf(fresh.orgs[0])?.sddcs[0]?.id, 's2');
  });

  test('Retry-After is honoured before asking again', async () => {
    let n = 0;
    const { collector, clock, calls } = setup(async () => {
      n++;
      if (n === 1) throw new UpstreamError('http', 'HTTP 429', { status: 429, retryAfterMs: 120_000 });
      return list('s1');
    }, { orgs: ['org-a'] });
    await collector.collect(never);
    clock.advance(60_000);
    await collector.collect(never);
    assert.equal(calls.get('org-a'), 1);
    clock.advance(60_000);
    const v = await collector.collect(never);
    assert.equal(calls.get('org-a'), 2);
    assert.equal(v.orgs[0]?.up, true);
  });

  test('a failure is logged once while it repeats, and the recovery once', async () => {
    let fail = true;
    const { collector, clock, log } = setup(async () => {
      if (fail) throw new Error('VMC down');
      return list('s1');
    }, { orgs: ['org-a'], ttlMs: 0 });
    for (let i = 0; i < 5; i++) {
      await collector.collect(never);
      clock.advance(1000);
    }
    fail = false;
    await collector.collect(never);
    assert.equal(log.lines.filter((l) => l.level === 'warn').length, 1);
    assert.equal(log.lines.filter((l) => l.msg === 'collection of the org recovered').length, 1);
  });

  test('discovered orgs: listed once per 10 minutes; a failed listing shows vmc_up{org_id=""} 0', async () => {
    const clock = new ManualClock();
    const log = captureLogger();
    let listCalls = 0;
    let failList = true;
    const orgs = new DiscoveredOrgs(async () => {
      listCalls++;
      if (failList) throw new Error('CSP down');
      return [{ id: 'org-b', displayName: 'B', projectState: 'CREATED' }, { id: 'org-a', displayName: 'A', projectState: '' }];
    }, clock, log.logger);
    const collector = engineOf({ orgs, clock, logger: log.logger, collectors: [{ definition: sddcsWith(async () => list('s1')), ttlMs: 60_000 }], maxStaleMs: 0 });
    const failed = await collector.collect(never);
    assert.equal(failed.orgListFailed, true);
    assert.match(renderUp(failed), /vmc_up\{org_id=""\} 0/);
    failList = false;
    const v = await collector.collect(never);
    assert.deepEqual(v.orgs.map((o) => o.orgId), ['org-a', 'org-b']);
    assert.doesNotMatch(renderUp(v), /vmc_up\{org_id=""\}/);
    clock.advance(9 * 60_000);
    await collector.collect(never);
    assert.equal(listCalls, 2);
    clock.advance(60_000);
    await collector.collect(never);
    assert.equal(listCalls, 3);
  });

  test('a slow org list does not hold up the orgs already known: they collect while it is asked for', async () => {
    const clock = new ManualClock();
    const log = captureLogger();
    let release: (() => void) | undefined;
    let slow = false;
    const orgs = new DiscoveredOrgs(async () => {
      if (slow) await new Promise<void>((r) => (release = r));
      return [{ id: 'org-a', displayName: 'A', projectState: 'CREATED' }];
    }, clock, log.logger);
    // The SDDC list takes a turn of the event loop, as a real call does.
    const fetchSddcs = async (): Promise<SddcList> => (await new Promise((r) => setImmediate(r)), list('s1'));
    const engine = engineOf({ orgs, clock, logger: log.logger, collectors: [{ definition: sddcsWith(fetchSddcs), ttlMs: 60_000 }] });
    await engine.collect(never);
    slow = true;
    clock.advance(10 * 60_000);
    const d = manualDeadline();
    const pending = engine.collect(d.promise);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    d.fire();
    const v = await pending;
    assert.equal(v.orgs[0]?.up, true, 'collected fresh while the org list hung');
    release?.();
  });

  test('discovered orgs: DELETED orgs are not collected; a collector reads the listed org without a call', async () => {
    const clock = new ManualClock();
    const log = captureLogger('info');
    let listed = [
      { id: 'org-a', displayName: 'Org A', projectState: 'CREATED' },
      { id: 'org-gone', displayName: 'Gone', projectState: 'DELETED' },
    ];
    const orgs = new DiscoveredOrgs(async () => listed, clock, log.logger);
    const seen: Array<[string, string | undefined]> = [];
    const names = defineCollector<string>({
      name: 'names',
      help: 'test',
      defaultEnabled: true,
      defaultTtl: '0',
      readsOrgList: true,
      families: [{ name: 'test_name', type: 'gauge', help: 'h' }],
      fetch: async (ctx) => {
        seen.push([ctx.orgId, ctx.listedOrg()?.displayName]);
        return ctx.listedOrg()?.displayName ?? '';
      },
      render: () => undefined,
    });
    const engine = engineOf({ orgs, clock, logger: log.logger, collectors: [{ definition: sddcsWith(async () => list('s1')), ttlMs: 60_000 }, { definition: names, ttlMs: 0 }] });
    const v = await engine.collect(never);
    assert.deepEqual(v.orgs.map((o) => o.orgId), ['org-a']);
    assert.deepEqual(seen, [['org-a', 'Org A']]);
    const line = log.lines.find((l) => l.msg === 'discovered orgs');
    assert.deepEqual(line?.['deleted_orgs_skipped'], ['org-gone']);
    listed = [{ id: 'org-a', displayName: 'Renamed', projectState: 'CREATED' }];
    clock.advance(10 * 60_000);
    await engine.collect(never);
    assert.deepEqual(seen.at(-1), ['org-a', 'Renamed']);
    assert.equal((new StaticOrgs(['org-a']) as OrgSource).listed, undefined, 'configured orgs have no listed org');
  });
});

describe('the collector contract', () => {
  /** A second collector: one number per org, rendered as `test_value`, optionally reading the SDDC list. */
  function numberCollector(name: string, fetch: (orgId: string, sddcs: SddcList | undefined) => Promise<number>, extra: Partial<CollectorDefinition> = {}, readSddcs = true): CollectorDefinition {
    return defineCollector<number>({
      name,
      help: 'test collector',
      defaultEnabled: true,
      defaultTtl: '60',
      families: [{ name: `test_${name}`, type: 'gauge', help: 'test' }],
      dependsOn: ['sddcs'],
      fetch: async (ctx) => fetch(ctx.orgId, readSddcs ? await ctx.dependency<SddcList>('sddcs') : undefined),
      render: (n, { org, out }) => void out[0]!.push(`test_${name}{${org}} ${n}\n`),
      ...(extra as Partial<CollectorDefinition<number>>),
    });
  }

  function twoCollectors(second: CollectorDefinition, opts: { secondTtlMs?: number } = {}) {
    const clock = new ManualClock();
    const log = captureLogger();
    let sddcCalls = 0;
    const engine = engineOf({
      orgs: new StaticOrgs(['org-a']),
      clock,
      logger: log.logger,
      collectors: [
        { definition: sddcsWith(async () => (sddcCalls++, list('s1', 's2'))), ttlMs: 60_000 },
        { definition: second, ttlMs: opts.secondTtlMs ?? 3_600_000 },
      ],
    });
    return { engine, clock, log, sddcCalls: () => sddcCalls };
  }

  test('each collector renders its own families; vmc_collector_* per org and collector', async () => {
    const { engine } = twoCollectors(numberCollector('extra', async (_org, sddcs) => sddcs?.sddcs.length ?? -1));
    const view = await engine.collect(never);
    const text = new ExpositionCache().body(view).plain.toString();
    assert.match(text, /test_extra\{org_id="org-a"\} 2\n/, 'reads the SDDC collector through dependency()');
    assert.match(text, /vmc_collector_duration_seconds\{org_id="org-a",collector="extra"\} /);
    const tail = renderUp(view);
    assert.match(tail, /vmc_collector_success\{org_id="org-a",collector="sddcs"\} 1/);
    assert.match(tail, /vmc_collector_success\{org_id="org-a",collector="extra"\} 1/);
    assert.ok(text.indexOf('# TYPE test_extra') > text.indexOf('# TYPE vmc_sddc_expiration_timestamp_seconds'), 'collectors in registry order');
  });

  test('a failing collector changes nothing for another one, nor vmc_up', async () => {
    const { engine } = twoCollectors(numberCollector('broken', async () => Promise.reject(new UpstreamError('http', 'HTTP 500', { status: 500 }))));
    const view = await engine.collect(never);
    assert.equal(view.orgs[0]?.up, true);
    assert.equal(dataOf(view.orgs[0])?.sddcs.length, 2);
    assert.match(renderUp(view), /vmc_collector_success\{org_id="org-a",collector="broken"\} 0/);
    assert.match(renderUp(view), /vmc_up\{org_id="org-a"\} 1/);
  });

  test('a 403 is retried at the TTL, logged once with the missing role and the flag that turns the collector off', async () => {
    let calls = 0;
    const { engine, clock, log } = twoCollectors(
      numberCollector('guarded', async () => (calls++, Promise.reject(new UpstreamError('http', 'HTTP 403', { status: 403 }))), { forbiddenHint: 'the role X' }),
      { secondTtlMs: 900_000 },
    );
    await engine.collect(never);
    clock.advance(60_000);
    await engine.collect(never);
    assert.equal(calls, 1, 'not asked again before the TTL');
    clock.advance(840_000);
    await engine.collect(never);
    assert.equal(calls, 2, 'asked again at the TTL');
    const warns = log.lines.filter((l) => l.level === 'warn' && l['collector'] === 'guarded');
    assert.equal(warns.length, 1);
    assert.match(String(warns[0]?.['hint']), /the role X.*--no-collector\.guarded/);
  });

  test('a transient failure is asked again on the next scrape; stale data is kept for max-stale after it fell due', async () => {
    let fail = false;
    let calls = 0;
    const { engine, clock } = twoCollectors(
      numberCollector('hourly', async () => {
        calls++;
        if (fail) throw new UpstreamError('timeout', 'no answer');
        return 7;
      }),
    );
    await engine.collect(never);
    fail = true;
    clock.advance(3_600_000);
    const first = await engine.collect(never);
    assert.match(new ExpositionCache().body(first).plain.toString(), /test_hourly\{org_id="org-a"\} 7/, 'served stale right after falling due');
    clock.advance(1000);
    await engine.collect(never);
    assert.equal(calls, 3, 'retried on the next scrape');
    clock.advance(299_000);
    const late = await engine.collect(never);
    assert.doesNotMatch(new ExpositionCache().body(late).plain.toString(), /test_hourly\{/, 'dropped max-stale after falling due');
  });

  test('a collector of scope exporter is collected once, shown with org_id=""', async () => {
    let calls = 0;
    const { engine } = twoCollectors(numberCollector('wide', async (org) => (calls++, org === '' ? 1 : 0), { scope: 'exporter', dependsOn: [] }, false));
    await engine.collect(never);
    const view = await engine.collect(never);
    assert.equal(calls, 1);
    assert.match(new ExpositionCache().body(view).plain.toString(), /test_wide\{org_id=""\} 1/);
    assert.match(renderUp(view), /vmc_collector_success\{org_id="",collector="wide"\} 1/);
  });

  test('reading a collector not declared in dependsOn is a bug the collector reports as a failure', async () => {
    const { engine } = twoCollectors(numberCollector('sneaky', async (_o, s) => s?.sddcs.length ?? 0, { dependsOn: [] }));
    const view = await engine.collect(never);
    assert.match(renderUp(view), /collector="sneaky"\} 0/);
  });

  test('one cause failing every collector of an org (a refused token) is logged once; another cause again', async () => {
    const clock = new ManualClock();
    const log = captureLogger();
    let err: Error = new UpstreamError('http', 'CSP rejected the credentials', { status: 400 });
    const failing = (name: string): CollectorDefinition => numberCollector(name, async () => Promise.reject(err), { dependsOn: [] }, false);
    const engine = engineOf({
      orgs: new StaticOrgs(['org-a']),
      clock,
      logger: log.logger,
      collectors: [
        { definition: sddcsWith(async () => Promise.reject(err)), ttlMs: 0 },
        { definition: failing('second'), ttlMs: 0 },
      ],
    });
    await engine.collect(never);
    const warns = () => log.lines.filter((l) => l.level === 'warn' && l.msg === 'collection of the org failed');
    assert.equal(warns().length, 1, JSON.stringify(log.lines));
    err = new UpstreamError('timeout', 'no answer');
    await engine.collect(never);
    assert.equal(warns().length, 2, 'a new cause is logged (once again)');
  });

  test('a probe scope collects only the named org and collectors', async () => {
    const { engine } = twoCollectors(numberCollector('extra', async () => 1));
    const view = await engine.collect(never, { orgs: ['org-z'], collectors: new Set(['extra']) });
    assert.deepEqual(view.orgs.map((o) => o.orgId), ['org-z']);
    assert.equal(view.orgs[0]?.primary, undefined, 'the SDDC collector was not asked');
    assert.equal(view.orgs[0]?.up, true, 'vmc_up falls back to the collectors asked for');
  });
});
