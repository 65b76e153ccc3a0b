import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { after, test } from 'node:test';
import { cleanEnv, requireBuild, spawnExporter, spawnSimulator, type Child } from '../helpers/processes.js';
import { parseExposition } from '../helpers/exposition.js';

let sim: Child | undefined;
let exporter: Child | undefined;
after(async () => {
  await exporter?.stop();
  await sim?.stop();
});

/** A GET over a keep-alive agent; resolves when the whole body is in, with the time it was. */
function keepAliveGet(agent: http.Agent, url: string): Promise<{ status: number; body: string; doneAt: number; socketKeptAlive: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers: { 'x-prometheus-scrape-timeout-seconds': '10' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, doneAt: performance.now(), socketKeptAlive: res.headers.connection !== 'close' }));
    });
    req.on('error', reject);
  });
}

/** Waits until the simulator has seen `n` SDDC-list requests in all. */
async function sddcRequestsReach(simUrl: string, n: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const stats = (await (await fetch(`${simUrl}/_sim/stats`)).json()) as { sddcListRequests: Record<string, number> };
    if (Object.values(stats.sddcListRequests).reduce((a, b) => a + b, 0) >= n) return;
    await new Promise((r) => setImmediate(r));
  }
  assert.fail(`the simulator never saw ${n} SDDC-list requests`);
}

test('SIGTERM with a keep-alive client mid-scrape: the scrape finishes with data, the exit follows within 1 s, code 0', async (t) => {
  requireBuild();
  const simChild = await spawnSimulator(['--listen', '127.0.0.1:0', '--estate', 'demo'], cleanEnv());
  sim = simChild;
  const info = simChild.sim;
  const ex = await spawnExporter(
    ['--web.listen-address=127.0.0.1:0', `--csp.url=${info.url}`, `--vmc.url=${info.url}`, `--vmc.org=${info.orgs[0]}`, '--cache.ttl=0'],
    cleanEnv({ VMC_CLIENT_ID: info.clientId, VMC_CLIENT_SECRET: info.clientSecret }),
  );
  exporter = ex;
  const agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 60_000 });
  try {
    // A first scrape opens the keep-alive connection the second one reuses.
    assert.equal((await keepAliveGet(agent, `${ex.url}/metrics`)).status, 200);
    // Make the next SDDC fetch slow, start a scrape on the same connection, and send SIGTERM while it waits.
    const fault = await fetch(`${info.url}/_sim/faults`, { method: 'POST', body: JSON.stringify({ endpoint: 'sddcs', latencyMs: 1500, times: 1 }) });
    assert.equal(fault.status, 201);
    const scrape = keepAliveGet(agent, `${ex.url}/metrics`);
    await sddcRequestsReach(info.url, 2);
    const exited = once(ex.proc, 'exit').then(([code]) => ({ code: code as number | null, at: performance.now() }));
    ex.proc.kill('SIGTERM');
    const res = await scrape;
    assert.equal(res.status, 200);
    assert.equal(parseExposition(res.body).value('vmc_up', { org_id: info.orgs[0]! }), 1, 'the in-flight scrape completed with data');
    assert.equal(res.socketKeptAlive, false, 'the answer closes the connection');
    const exit = await exited;
    assert.equal(exit.code, 0);
    const lagMs = exit.at - res.doneAt;
    t.diagnostic(`exit ${Math.round(lagMs)} ms after the scrape finished`);
    assert.ok(lagMs < 1000, `exit ${Math.round(lagMs)} ms after the last scrape finished (grace period 10 s)`);
    await assert.rejects(fetch(`${ex.url}/-/healthy`), 'no longer listening');
    assert.match(ex.stdout(), /"msg":"shutting down"/);
  } finally {
    agent.destroy();
  }
});
