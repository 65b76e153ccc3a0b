/**
 * How the engine keeps orgs named only by probes: bounded, forgotten when idle, sharing
 * the caches of the org list, and telling `forget` about every org whose caches it drops.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TokenManager } from '../../src/auth/token-manager.js';
import { sddcsCollector } from '../../src/collect/collectors/sddcs.js';
import { CollectionEngine, ProbeLimitError } from '../../src/collect/engine.js';
import type { OrgSource } from '../../src/collect/org-discovery.js';
import { ManualClock } from '../../src/lib/clock.js';
import { ExpositionCache } from '../../src/metrics/exposition.js';
import { parseSddcList } from '../../src/vmc/parse-sddcs.js';
import type { VmcClient } from '../../src/vmc/vmc-client.js';
import { captureLogger } from '../helpers/log-sink.js';

const never = new Promise<void>(() => undefined);
const MINUTE = 60_000;

/** An org list the test changes by hand. */
class ListedOrgs implements OrgSource {
  readonly failing = false;
  ids: readonly string[];
  constructor(ids: readonly string[]) {
    this.ids = ids;
  }
  orgIds(): Promise<readonly string[]> {
    return Promise.resolve(this.ids);
  }
  current(): readonly string[] {
    return this.ids;
  }
}

function setup(listed: string[], limits = { idleMs: 10 * MINUTE, maxOrgs: 3 }, alsoForget: (orgId: string) => void = () => undefined) {
  const clock = new ManualClock();
  const log = captureLogger();
  const orgs = new ListedOrgs(listed);
  const calls = new Map<string, number>();
  const forgotten: string[] = [];
  const tokens: Array<[string, boolean]> = [];
  const engine = new CollectionEngine({
    collectors: [
      {
        definition: {
          ...sddcsCollector,
          fetch: async (ctx) => {
            void ctx.tokens;
            calls.set(ctx.orgId, (calls.get(ctx.orgId) ?? 0) + 1);
            return parseSddcList([{ id: `s-${ctx.orgId}`, name: 'n', sddc_state: 'READY', resource_config: { clusters: [] } }]);
          },
        },
        ttlMs: MINUTE,
        options: {},
      },
    ],
    primary: 'sddcs',
    orgs,
    vmc: {} as VmcClient,
    tokens: (orgId, probedOnly) => (tokens.push([orgId, probedOnly]), {} as TokenManager),
    clock,
    maxStaleMs: 0,
    logger: log.logger,
    probes: limits,
    forget: (orgId) => {
      forgotten.push(orgId);
      alsoForget(orgId);
    },
  });
  const probe = (org: string) => engine.collect(never, { orgs: [org] });
  return { engine, clock, orgs, calls, forgotten, tokens, probe, log };
}

describe('CollectionEngine: orgs named by probes', () => {
  test('a probe of a listed org shares its caches: no second fetch within the TTL, and it is never counted or forgotten', async () => {
    const { engine, clock, calls, forgotten, probe } = setup(['a', 'b']);
    await engine.collect(never);
    await probe('a');
    await probe('a');
    assert.deepEqual(Object.fromEntries(calls), { a: 1, b: 1 });
    assert.equal(engine.probedOnly, 0);
    clock.advance(60 * MINUTE);
    engine.sweep();
    assert.deepEqual(forgotten, []);
  });

  test('a probe of a listed org before the first scrape still counts as listed (the list is read without fetching)', async () => {
    const { engine, tokens, probe } = setup(['a']);
    await probe('a');
    assert.equal(engine.probedOnly, 0);
    assert.deepEqual(tokens, [['a', false]]);
  });

  test('an org named only by probes asks for a token of its own', async () => {
    const { tokens, probe } = setup(['a']);
    await probe('z');
    assert.deepEqual(tokens, [['z', true]]);
  });

  test('orgs named only by probes are forgotten after the idle time; probing keeps an org', async () => {
    const { engine, clock, forgotten, probe } = setup([]);
    await probe('x');
    await probe('y');
    clock.advance(9 * MINUTE);
    await probe('y');
    clock.advance(MINUTE);
    engine.sweep();
    assert.deepEqual(forgotten, ['x']);
    assert.equal(engine.probedOnly, 1);
    clock.advance(10 * MINUTE);
    await engine.collect(never); // a scrape sweeps too
    assert.deepEqual(forgotten, ['x', 'y']);
    assert.equal(engine.probedOnly, 0);
  });

  test('a forgotten org probed again starts from scratch', async () => {
    const { engine, clock, calls, probe } = setup([]);
    await probe('x');
    clock.advance(10 * MINUTE);
    engine.sweep();
    const view = await probe('x');
    assert.equal(calls.get('x'), 2);
    assert.equal(view.orgs[0]?.up, true);
  });

  test('beyond maxOrgs a new org is refused (once logged); known orgs and listed orgs are still served', async () => {
    const { engine, clock, probe, log } = setup(['a'], { idleMs: 10 * MINUTE, maxOrgs: 2 });
    await probe('x');
    await probe('y');
    await assert.rejects(probe('z'), (err: unknown) => err instanceof ProbeLimitError && err.limit === 2);
    await assert.rejects(probe('w'), ProbeLimitError);
    await probe('x');
    await probe('a');
    assert.equal(log.lines.filter((l) => l.level === 'warn' && String(l['msg']).includes('--probe.max-orgs')).length, 1);
    clock.advance(10 * MINUTE);
    await probe('z');
    assert.equal(engine.probedOnly, 1);
    assert.equal(log.lines.filter((l) => l.level === 'info' && String(l['msg']).includes('accepted again')).length, 1);
  });

  test('maxOrgs 0: only listed orgs may be probed', async () => {
    const { probe } = setup(['a'], { idleMs: MINUTE, maxOrgs: 0 });
    await probe('a');
    await assert.rejects(probe('x'), ProbeLimitError);
  });

  test('an org leaving the org list is forgotten unless a probe still names it; then it is forgotten when idle', async () => {
    const { engine, clock, orgs, forgotten, probe } = setup(['a', 'b', 'c']);
    await engine.collect(never);
    await probe('b');
    orgs.ids = ['a'];
    const view = await engine.collect(never);
    assert.deepEqual(view.orgs.map((o) => o.orgId), ['a'], '/metrics shows the org list only');
    assert.deepEqual(forgotten, ['c']);
    assert.equal(engine.probedOnly, 1, 'b is kept for its probes');
    clock.advance(10 * MINUTE);
    engine.sweep();
    assert.deepEqual(forgotten, ['c', 'b']);
  });

  test('wired to the exposition cache, forgetting drops the rendered fragments too', async () => {
    const cache = new ExpositionCache();
    const { engine, clock, probe } = setup([], undefined, (orgId) => cache.forget(orgId));
    for (const org of ['x', 'y']) cache.probe(await probe(org));
    assert.equal(cache.size, 2);
    clock.advance(10 * MINUTE);
    engine.sweep();
    assert.equal(cache.size, 0);
  });
});
