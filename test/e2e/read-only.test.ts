/**
 * The exporter never calls a write endpoint: every collector runs against the simulator
 * (OAuth app with named and with discovered orgs, and an API token), through a TTL each,
 * and the simulator's log of every request line may hold only the read paths. POST is
 * allowed for the token endpoints, the API-token details and `tbrs/reservation` (reads
 * VMC models as POST) only.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { COLLECTORS } from '../../src/collect/collectors/index.js';
import { startHarness, type HarnessOptions } from '../helpers/exporter-harness.js';

const ID = '[^/]+';
const READS: readonly RegExp[] = [
  new RegExp(`^GET /vmc/api/orgs$`),
  new RegExp(`^GET /vmc/api/orgs/${ID}$`),
  new RegExp(`^GET /vmc/api/orgs/${ID}/sddcs$`),
  new RegExp(`^GET /vmc/api/orgs/${ID}/tasks$`),
  new RegExp(`^GET /vmc/api/orgs/${ID}/subscriptions$`),
  new RegExp(`^GET /vmc/api/orgs/${ID}/account-link/sddc-connections$`),
  new RegExp(`^GET /vmc/autoscaler/api/orgs/${ID}/sddcs/${ID}/edrs-policy$`),
  new RegExp(`^POST /vmc/api/orgs/${ID}/tbrs/reservation$`),
  /^POST \/csp\/gateway\/am\/api\/auth\/token$/,
  /^POST \/csp\/gateway\/am\/api\/auth\/api-tokens\/authorize$/,
  /^POST \/csp\/gateway\/am\/api\/auth\/api-tokens\/details$/,
];

const RUNS: ReadonlyArray<[string, HarnessOptions]> = [
  ['OAuth app, named orgs', {}],
  ['OAuth app, discovered orgs', { orgs: [] }],
  ['API token', { orgs: [], auth: 'api-token-env' }],
];

describe('the exporter only reads', () => {
  for (const [label, opts] of RUNS) {
    test(`${label}: every request line is a read`, async () => {
      const h = await startHarness(opts);
      try {
        await h.scrape();
        h.clock.advance(2 * 3_600_000); // past every collector's TTL
        const s = await h.scrape();
        const active = s.all('vmc_collector_success').map((x) => x.labels['collector']);
        const expected = COLLECTORS.map((c) => c.name).filter((n) => n !== 'api_token' || opts.auth === 'api-token-env');
        assert.deepEqual([...new Set(active)].sort(), [...expected].sort(), 'every collector ran');
        const lines = h.sim.stats.requestLog;
        assert.ok(lines.length >= 5, lines.join('\n'));
        const writes = lines.filter((line) => !READS.some((re) => re.test(line)));
        assert.deepEqual(writes, [], 'requests that are not reads');
      } finally {
        await h.close();
      }
    });
  }
});
