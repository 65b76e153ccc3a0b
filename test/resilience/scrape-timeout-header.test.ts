/**
 * A hostile or broken `X-Prometheus-Scrape-Timeout-Seconds` must not shrink the scrape's
 * budget to nothing (Node timers overflow past 2^31-1 ms and fire at once): values are
 * honoured up to 300 s, and nothing is printed on stderr.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cleanEnv, requireBuild, spawnExporter, spawnSimulator, type ChildExporter, type ChildSimulator } from '../helpers/processes.js';
import { parseExposition } from '../helpers/exposition.js';

describe('X-Prometheus-Scrape-Timeout-Seconds', () => {
  let sim: ChildSimulator;
  let exporter: ChildExporter;
  before(async () => {
    requireBuild();
    sim = await spawnSimulator(['--listen', '127.0.0.1:0', '--estate', 'demo'], cleanEnv());
    const info = sim.sim;
    exporter = await spawnExporter(
      ['--web.listen-address=127.0.0.1:0', `--csp.url=${info.url}`, `--vmc.url=${info.url}`, `--vmc.org=${info.orgs[0]}`, '--cache.ttl=0'],
      cleanEnv({ VMC_CLIENT_ID: info.clientId, VMC_CLIENT_SECRET: info.clientSecret }),
    );
  });
  after(async () => {
    await exporter?.stop();
    await sim?.stop();
  });

  for (const value of ['1e9', '9999999999999', 'Infinity', '1e308', '-1', 'NaN', '0']) {
    test(`${value}: the scrape waits for the data as usual and nothing goes to stderr`, async () => {
      const res = await fetch(`${exporter.url}/metrics`, { headers: { 'x-prometheus-scrape-timeout-seconds': value } });
      assert.equal(res.status, 200);
      const metrics = parseExposition(await res.text());
      assert.equal(metrics.value('vmc_up', { org_id: sim.sim.orgs[0]! }), 1, 'no false vmc_up 0 from a 1 ms deadline');
      assert.equal(exporter.stderr(), '', 'no TimeoutOverflowWarning or other non-JSON output');
    });
  }
});
