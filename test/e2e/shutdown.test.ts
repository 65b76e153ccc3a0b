import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, test } from 'node:test';
import { cleanEnv, requireBuild, spawnExporter, spawnSimulator, type Child } from '../helpers/child-process.js';
import { parseSamples } from '../helpers/exporter-harness.js';

let sim: Child | undefined;
let exporter: Child | undefined;
after(async () => {
  await exporter?.stop();
  await sim?.stop();
});

test('SIGTERM: stops accepting, lets the in-flight scrape finish, exits 0', async () => {
  requireBuild();
  const simChild = await spawnSimulator(['--listen', '127.0.0.1:0', '--estate', 'demo'], cleanEnv());
  sim = simChild;
  const info = simChild.sim;
  const ex = await spawnExporter(
    ['--web.listen-address=127.0.0.1:0', `--csp.url=${info.url}`, `--vmc.url=${info.url}`, `--vmc.org=${info.orgs[0]}`, '--cache.ttl=0'],
    cleanEnv({ VMC_CLIENT_ID: info.clientId, VMC_CLIENT_SECRET: info.clientSecret }),
  );
  exporter = ex;
  const url = ex.url;
  // Make the next SDDC fetch slow, start a scrape, and send SIGTERM while it waits.
  const fault = await fetch(`${info.url}/_sim/faults`, { method: 'POST', body: JSON.stringify({ endpoint: 'sddcs', latencyMs: 1500, times: 1 }) });
  assert.equal(fault.status, 201);
  const scrape = fetch(`${url}/metrics`, { headers: { 'x-prometheus-scrape-timeout-seconds': '10' } });
  await new Promise((r) => setTimeout(r, 400));
  const exited = once(ex.proc, 'exit');
  ex.proc.kill('SIGTERM');
  const res = await scrape;
  assert.equal(res.status, 200);
  const samples = parseSamples(await res.text());
  assert.equal(samples.get(`vmc_up{org_id="${info.orgs[0]}"}`), 1, 'the in-flight scrape completed with data');
  const [code] = await exited;
  assert.equal(code, 0);
  await assert.rejects(fetch(`${url}/-/healthy`), 'no longer listening');
  assert.match(ex.stdout(), /"msg":"shutting down"/);
});
