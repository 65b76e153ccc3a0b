import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, test } from 'node:test';
import { freePort, parseSamples, spawnNode, startSimCli, waitForHttp, type Child } from '../helpers/processes.js';

let sim: { child: Child } | undefined;
let exporter: Child | undefined;
after(async () => {
  await exporter?.stop();
  await sim?.child.stop();
});

test('SIGTERM: stops accepting, lets the in-flight scrape finish, exits 0', async () => {
  const s = await startSimCli(['--estate', 'demo']);
  sim = s;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  exporter = spawnNode(
    ['dist/main.js', `--web.listen-address=127.0.0.1:${port}`, `--csp.url=${s.info.url}`, `--vmc.url=${s.info.url}`, `--vmc.org=${s.info.orgs[0]}`, '--cache.ttl=0'],
    { VMC_CLIENT_ID: s.info.clientId, VMC_CLIENT_SECRET: s.info.clientSecret },
  );
  await waitForHttp(`${url}/-/ready`);
  // Make the next SDDC fetch slow, start a scrape, and send SIGTERM while it waits.
  const fault = await fetch(`${s.info.url}/_sim/faults`, { method: 'POST', body: JSON.stringify({ endpoint: 'sddcs', latencyMs: 1500, times: 1 }) });
  assert.equal(fault.status, 201);
  const scrape = fetch(`${url}/metrics`, { headers: { 'x-prometheus-scrape-timeout-seconds': '10' } });
  await new Promise((r) => setTimeout(r, 400));
  const exited = once(exporter.proc, 'exit');
  exporter.proc.kill('SIGTERM');
  const res = await scrape;
  assert.equal(res.status, 200);
  const samples = parseSamples(await res.text());
  assert.equal(samples.get(`vmc_up{org_id="${s.info.orgs[0]}"}`), 1, 'the in-flight scrape completed with data');
  const [code] = await exited;
  assert.equal(code, 0);
  await assert.rejects(fetch(`${url}/-/healthy`), 'no longer listening');
  assert.match(exporter.stdout(), /"msg":"shutting down"/);
});
