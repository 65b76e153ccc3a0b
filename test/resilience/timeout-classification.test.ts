/**
 * A request that gets no answer within its timeout must be reported as a timeout: failure
 * `timeout` (code UPSTREAM_TIMEOUT), "no complete answer within …", counted as
 * `vmc_api_requests_total{code="timeout"}`.
 *
 * The client's own timer decides, never undici's `headersTimeout` / `bodyTimeout`: undici
 * runs those on its coarse "fast timers" (1 s resolution, 499 ms tick; lib/util/timers.js),
 * which fire up to ~0.5 s before or after the nominal time, so an undici timer would win the
 * race for some requests: failure `network` with "UND_ERR_HEADERS_TIMEOUT Headers Timeout
 * Error", counted as code="network", and the "log when the reason changes" rule would log
 * the same hang again whenever the wording flipped.
 *
 * The staggered waves below register requests at different phases of undici's tick, so that
 * an undici timer in the race shows up (8 of 20 requests misreported on every run when one is).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Agent } from 'undici';
import { systemClock } from '../../src/lib/clock.js';
import { SecretRegistry } from '../../src/lib/secrets.js';
import { SelfMetrics } from '../../src/metrics/self-metrics.js';
import { startSimulator } from '../../sim/src/server.js';
import { UpstreamError } from '../../src/upstream/errors.js';
import { HttpClient } from '../../src/upstream/http-client.js';
import { sleep } from '../helpers/processes.js';

test('a request without an answer within its timeout is reported as a timeout, whatever the timer phase', async () => {
  const sim = await startSimulator();
  const dispatcher = new Agent();
  try {
    sim.addFault({ endpoint: 'any', kind: 'hang' });
    const metrics = new SelfMetrics('test', false);
    const client = new HttpClient({ dispatcher, observer: metrics, secrets: new SecretRegistry(), clock: systemClock });
    const one = (timeoutMs: number) =>
      client
        .send({ endpoint: 'sddcs', method: 'GET', url: `${sim.url}/vmc/api/orgs/${sim.orgIds[0]}/sddcs`, headers: {}, timeoutMs })
        .then(
          () => 'answered',
          (err: unknown) => (err instanceof UpstreamError ? `${err.failure}: ${err.message.replace(/^GET \S+: /, '')}` : String(err)),
        );
    const pending: Array<Promise<string>> = [];
    for (let wave = 0; wave < 5; wave++) {
      for (let i = 0; i < 4; i++) pending.push(one(1100 + i * 170));
      await sleep(110);
    }
    const outcomes = await Promise.all(pending);
    const wrong = outcomes.filter((o) => !/^timeout: no complete answer within \d+(\.\d)?s$/.test(o));
    assert.deepEqual(wrong, [], `${wrong.length} of ${outcomes.length} timeouts misreported`);
    const text = await metrics.render();
    assert.match(text, /vmc_api_requests_total\{endpoint="sddcs",code="timeout"\} 20\n/);
    assert.doesNotMatch(text, /code="network"/);
  } finally {
    await sim.close();
    await dispatcher.close();
  }
});
