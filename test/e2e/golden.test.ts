import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { COLLECTORS } from '../../src/collect/collectors/index.js';
import { parseCommandLine } from '../../src/config/parse-config.js';
import { ManualClock } from '../../src/lib/clock.js';
import { startExporter, type Exporter } from '../../src/run.js';
import { startSimulator, type Simulator } from '../../sim/src/server.js';
import { assertGolden, stabilize } from '../helpers/golden.js';
import { captureLogger } from '../helpers/log-sink.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';
import { requireTools } from '../ops/lib/tools.js';

/**
 * The whole /metrics output of the real exporter (in process, fixed clock, no process
 * metrics) scraping the simulator's demo estate, compared with a golden file.
 */
describe('golden /metrics', () => {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12, 0, 0));
  const log = captureLogger('info');
  let sim: Simulator;
  let exporter: Exporter;

  before(async () => {
    sim = await startSimulator({ clock });
    const parsed = await parseCommandLine(
      ['--web.listen-address=127.0.0.1:0', `--csp.url=${sim.url}`, `--vmc.url=${sim.url}`, '--cache.ttl=60s', `--vmc.org=${sim.orgIds.join(',')}`],
      { VMC_CLIENT_ID: sim.credentials.clientId, VMC_CLIENT_SECRET: sim.credentials.clientSecret },
      { version: '0.0.0-test', collectors: COLLECTORS },
    );
    assert.equal(parsed.action, 'run');
    if (parsed.action !== 'run') return;
    exporter = await startExporter(parsed.config, { logger: log.logger, secrets: log.secrets, version: '0.0.0-test', clock, processMetrics: false });
  });
  after(async () => {
    await exporter?.close();
    await sim?.close();
  });

  test('matches test/fixtures/golden/demo.prom', async () => {
    const res = await fetch(`${exporter.url}/metrics`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    await assertGolden(stabilize(text), new URL('../fixtures/golden/demo.prom', import.meta.url));
  });

  test('promtool check metrics reports no problem', async (t) => {
    const tools = requireTools(t, 'promtool');
    if (!tools) return;
    const text = await (await fetch(`${exporter.url}/metrics`)).text();
    const r = promtoolCheckMetrics(tools['promtool']!, text);
    assert.equal(r.status, 0, r.output);
    assert.equal(r.output.trim(), '', r.output);
  });

  test('an SDDC that changes state moves in the output after the TTL', async () => {
    const org = sim.orgIds[0]!;
    const id = '5dd0c000-0000-4000-8000-000000000001';
    sim.setSddcState(org, id, 'FAILED');
    clock.advance(60_000);
    const text = await (await fetch(`${exporter.url}/metrics`)).text();
    assert.match(text, new RegExp(`vmc_sddc_state\\{org_id="${org}",sddc_id="${id}",state="FAILED"\\} 1`));
    assert.match(text, new RegExp(`vmc_sddc_state\\{org_id="${org}",sddc_id="${id}",state="READY"\\} 0`));
  });

  test('gzip round-trip gives the same exposition', async () => {
    const plain = await (await fetch(`${exporter.url}/metrics`, { headers: { 'accept-encoding': 'identity' } })).text();
    const res = await fetch(`${exporter.url}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(res.headers.get('content-encoding'), 'gzip');
    const unzipped = await res.text(); // fetch decodes (multi-member) gzip
    assert.equal(stabilize(unzipped), stabilize(plain));
  });
});
