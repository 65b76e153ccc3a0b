import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Collector } from '../../src/collect/collector.js';
import { StaticOrgs, DiscoveredOrgs } from '../../src/collect/org-discovery.js';
import { ManualClock } from '../../src/lib/clock.js';
import { ExpositionCache } from '../../src/metrics/exposition.js';
import { renderUp } from '../../src/metrics/render.js';
import { UpstreamError } from '../../src/upstream/errors.js';
import { parseSddcList } from '../../src/vmc/parse-sddcs.js';
import type { SddcList } from '../../src/vmc/types.js';
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

function setup(fetch: (org: string) => Promise<SddcList>, opts: { ttlMs?: number; maxStaleMs?: number; orgs?: string[] } = {}) {
  const clock = new ManualClock();
  const calls = new Map<string, number>();
  const log = captureLogger();
  const collector = new Collector({
    orgs: new StaticOrgs(opts.orgs ?? ['org-a', 'org-b']),
    fetchSddcs: (org) => {
      calls.set(org, (calls.get(org) ?? 0) + 1);
      return fetch(org);
    },
    clock,
    ttlMs: opts.ttlMs ?? 60_000,
    maxStaleMs: opts.maxStaleMs ?? 300_000,
    concurrency: 4,
    logger: log.logger,
  });
  return { collector, clock, calls, log };
}

describe('Collector', () => {
  test('30 concurrent scrapes cause one upstream fetch per org', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { collector, calls } = setup(async () => (await gate, list('s1')));
    const scrapes = Array.from({ length: 30 }, () => collector.collect(never));
    release();
    const views = await Promise.all(scrapes);
    assert.deepEqual(Object.fromEntries(calls), { 'org-a': 1, 'org-b': 1 });
    assert.ok(views.every((v) => v.orgs.every((o) => o.up && o.data?.sddcs.length === 1)));
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

  test('failure: vmc_up 0, last good values served until max-stale, then dropped', async () => {
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
    assert.equal(stale.orgs[0]?.data?.sddcs[0]?.id, 's1', 'stale data kept');
    assert.equal(stale.orgs[0]?.lastSuccessSeconds, Date.UTC(2026, 0, 1) / 1000);
    clock.advance(240_000);
    const dropped = await collector.collect(never);
    assert.equal(dropped.orgs[0]?.data, undefined, 'dropped after max-stale');
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
    assert.equal(v.orgs[0]?.data, undefined);
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
    assert.equal(v.orgs[0]?.data?.sddcs[0]?.id, 's1', 'with the last good data');
    const again = collector.collect(never);
    release();
    const fresh = await again;
    assert.equal(calls, 2, 'no second fetch beside the running one');
    assert.equal(fresh.orgs[0]?.up, true);
    assert.equal(fresh.orgs[0]?.data?.sddcs[0]?.id, 's2');
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
      return [{ id: 'org-b', displayName: 'B' }, { id: 'org-a', displayName: 'A' }];
    }, clock, log.logger);
    const collector = new Collector({ orgs, fetchSddcs: async () => list('s1'), clock, ttlMs: 60_000, maxStaleMs: 0, concurrency: 2, logger: log.logger });
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
});
