import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import { ManualClock } from '../../src/lib/clock.js';
import { DEMO } from '../../sim/src/demo-estate.js';
import { OVERSIZE_EXTRA_BYTES } from '../../sim/src/responses.js';
import { startSimulator, TOKEN_PATH, type Fault, type Simulator } from '../../sim/src/server.js';
import { accessToken, basicAuth } from './helpers.js';

describe('simulator: fault injection', () => {
  let sim: Simulator;
  let agent: Agent;
  let token: string;
  const sddcsPath = `/vmc/api/orgs/${DEMO.orgs.prod}/sddcs`;

  before(async () => {
    sim = await startSimulator({ clock: new ManualClock(), tokenTtlSeconds: 86_400 });
    agent = new Agent({ keepAliveTimeout: 10 });
    token = await accessToken(sim, DEMO.orgs.prod);
  });
  afterEach(() => sim.clearFaults());
  after(async () => {
    await sim.close();
    await agent.close();
  });

  // A client-side timeout (undici's own headers/body timeouts have a ~1 s resolution).
  const get = (path = sddcsPath, timeoutMs?: number) =>
    request(sim.url + path, {
      dispatcher: agent,
      headers: { 'csp-auth-token': token },
      ...(timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(timeoutMs) }),
    });
  const isTimeout = (err: Error) => err.name === 'TimeoutError' || err.name === 'AbortError';
  const realBody = async () => {
    sim.clearFaults();
    return (await get()).body.text();
  };

  it('replaces the status, body and headers (Retry-After) in the endpoint family shape', async () => {
    sim.addFault({ endpoint: 'sddcs', status: 503, headers: { 'Retry-After': '7' } });
    const res = await get();
    assert.equal(res.statusCode, 503);
    assert.equal(res.headers['retry-after'], '7');
    const body = (await res.body.json()) as Record<string, unknown>;
    assert.equal(body['status'], 503);
    assert.equal(body['retryable'], true);
    assert.ok(Array.isArray(body['error_messages']));

    sim.clearFaults();
    sim.addFault({ endpoint: 'token', status: 500 });
    const csp = await request(sim.url + TOKEN_PATH, {
      dispatcher: agent,
      method: 'POST',
      headers: { authorization: basicAuth(sim), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    assert.equal(csp.statusCode, 500);
    assert.equal(((await csp.body.json()) as { statusCode: number }).statusCode, 500);

    sim.clearFaults();
    sim.addFault({ endpoint: 'orgs', status: 429, body: 'slow down' });
    const orgs = await get('/vmc/api/orgs');
    assert.equal(orgs.statusCode, 429);
    assert.equal(await orgs.body.text(), 'slow down');
  });

  it('counts down times and removes the fault; first match wins', async () => {
    sim.addFault({ endpoint: 'sddcs', status: 502, times: 2 });
    sim.addFault({ endpoint: 'any', status: 500 });
    assert.deepEqual(
      sim.faults().map((f) => f.remaining),
      [2, undefined],
    );
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await get();
      statuses.push(res.statusCode);
      await res.body.dump();
    }
    assert.deepEqual(statuses, [502, 502, 500]);
    assert.equal(sim.faults().length, 1);
  });

  it('matches faults by org', async () => {
    const dev = await accessToken(sim, DEMO.orgs.dev);
    sim.addFault({ endpoint: 'sddcs', org: DEMO.orgs.dev, status: 500 });
    const prod = await get();
    assert.equal(prod.statusCode, 200);
    await prod.body.dump();
    const res = await request(`${sim.url}/vmc/api/orgs/${DEMO.orgs.dev}/sddcs`, { dispatcher: agent, headers: { 'csp-auth-token': dev } });
    assert.equal(res.statusCode, 500);
    await res.body.dump();
  });

  it('delays answers by latencyMs', async () => {
    sim.addFault({ endpoint: 'sddcs', latencyMs: 150, times: 1 });
    const t = performance.now();
    const res = await get();
    await res.body.dump();
    assert.equal(res.statusCode, 200);
    assert.ok(performance.now() - t >= 140);
  });

  it('malformed: 200 with invalid JSON', async () => {
    sim.addFault({ endpoint: 'sddcs', kind: 'malformed' });
    const res = await get();
    assert.equal(res.statusCode, 200);
    const text = await res.body.text();
    assert.throws(() => JSON.parse(text), SyntaxError);
  });

  it('truncated: the body ends early', async () => {
    const full = await realBody();
    sim.addFault({ endpoint: 'sddcs', kind: 'truncated' });
    const res = await get();
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-length'], String(Buffer.byteLength(full)));
    await assert.rejects(res.body.text());
  });

  it('wrong-types: an object instead of the array; strings where numbers go', async () => {
    const full = JSON.parse(await realBody()) as unknown[];
    sim.addFault({ endpoint: 'sddcs', kind: 'wrong-types' });
    const body = (await (await get()).body.json()) as Record<string, unknown>;
    assert.ok(!Array.isArray(body) && typeof body === 'object');
    assert.deepEqual(body['data'], full);

    sim.clearFaults();
    sim.addFault({ endpoint: 'token', kind: 'wrong-types' });
    const res = await request(sim.url + TOKEN_PATH, {
      dispatcher: agent,
      method: 'POST',
      headers: { authorization: basicAuth(sim), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const grant = (await res.body.json()) as Record<string, unknown>;
    assert.equal(grant['expires_in'], '86400');
    assert.equal(typeof grant['access_token'], 'number');
  });

  it('empty: the status with no body', async () => {
    sim.addFault({ endpoint: 'sddcs', kind: 'empty' });
    const res = await get();
    assert.equal(res.statusCode, 200);
    assert.equal(await res.body.text(), '');
  });

  it('oversized: valid JSON about 20 MiB larger than the real body, streamed', async () => {
    const full = await realBody();
    sim.addFault({ endpoint: 'sddcs', kind: 'oversized', times: 1 });
    const res = await get();
    assert.equal(res.headers['content-length'], undefined);
    const text = await res.body.text();
    assert.ok(text.length >= full.length + OVERSIZE_EXTRA_BYTES, `${text.length} bytes`);
    assert.ok(text.length < full.length + OVERSIZE_EXTRA_BYTES + 200_000);
    const parsed = JSON.parse(text) as Array<{ id: string }>;
    assert.deepEqual(parsed.slice(0, 3), JSON.parse(full));
    assert.equal(parsed[3]?.id, 'pad-000000');

    sim.addFault({ endpoint: 'orgs', kind: 'oversized', times: 1 });
    const orgs = await get(`/vmc/api/orgs/${DEMO.orgs.prod}`);
    const org = (await orgs.body.json()) as Record<string, unknown>;
    assert.equal(org['id'], DEMO.orgs.prod);
    assert.ok(String(org['padding']).length >= OVERSIZE_EXTRA_BYTES);
  });

  it('oversized: stops streaming when the client goes away', async () => {
    sim.addFault({ endpoint: 'sddcs', kind: 'oversized' });
    const res = await get();
    let seen = 0;
    for await (const chunk of res.body) {
      seen += (chunk as Buffer).length;
      if (seen > 100_000) break;
    }
    assert.ok(seen > 100_000);
  });

  it('trickle: headers at once, then the body a few bytes per interval', async () => {
    const full = await realBody();
    sim.addFault({ endpoint: 'sddcs', kind: 'trickle', trickleBytes: Math.ceil(full.length / 4), trickleIntervalMs: 40, times: 1 });
    const t = performance.now();
    const res = await get();
    const headersAfter = performance.now() - t;
    assert.ok(headersAfter < 40, `headers after ${headersAfter} ms`);
    const text = await res.body.text();
    assert.equal(text, full);
    assert.ok(performance.now() - t >= 110, 'took three intervals');

    sim.addFault({ endpoint: 'sddcs', kind: 'trickle' });
    const slow = await get(sddcsPath, 300);
    assert.equal(slow.statusCode, 200);
    await assert.rejects(slow.body.text(), isTimeout);
  });

  it('reset: the socket is destroyed without an answer', async () => {
    sim.addFault({ endpoint: 'sddcs', kind: 'reset', times: 1 });
    await assert.rejects(get(), (err: Error & { code?: string }) => /ECONNRESET|UND_ERR_SOCKET/.test(String(err.code)));
    const ok = await get();
    assert.equal(ok.statusCode, 200);
    await ok.body.dump();
  });

  it('hang: no answer until the fault is cleared, then a normal one', async () => {
    sim.addFault({ endpoint: 'sddcs', kind: 'hang' });
    await assert.rejects(get(sddcsPath, 150), isTimeout);
    const pending = get();
    await new Promise((r) => setTimeout(r, 50));
    sim.clearFaults();
    const res = await pending;
    assert.equal(res.statusCode, 200);
    assert.equal(((await res.body.json()) as unknown[]).length, 3);
  });

  it('applies to the token endpoints by org and to api-token', async () => {
    sim.addFault({ endpoint: 'token', org: DEMO.orgs.lab, status: 503 });
    sim.addFault({ endpoint: 'api-token', status: 504 });
    const post = (path: string, body: string, auth = true) =>
      request(sim.url + path, {
        dispatcher: agent,
        method: 'POST',
        headers: { ...(auth ? { authorization: basicAuth(sim) } : {}), 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    const lab = await post(TOKEN_PATH, `grant_type=client_credentials&orgId=${DEMO.orgs.lab}`);
    assert.equal(lab.statusCode, 503);
    await lab.body.dump();
    const home = await post(TOKEN_PATH, 'grant_type=client_credentials');
    assert.equal(home.statusCode, 200);
    await home.body.dump();
    const api = await post('/csp/gateway/am/api/auth/api-tokens/authorize', `api_token=${sim.credentials.apiToken}`, false);
    assert.equal(api.statusCode, 504);
    await api.body.dump();
    assert.equal(sim.stats.faultsApplied > 0, true);
  });

  it('validates faults', () => {
    assert.throws(() => sim.addFault({ endpoint: 'nope' } as unknown as Fault), /endpoint/);
    assert.throws(() => sim.addFault({ endpoint: 'sddcs', kind: 'explode' } as unknown as Fault), /kind/);
    assert.throws(() => sim.addFault({ endpoint: 'sddcs', times: 0 }), /times/);
    assert.throws(() => sim.addFault({ endpoint: 'sddcs', status: 99 }), /status/);
  });
});

describe('simulator: close() with hanging and trickling requests', () => {
  it('resolves quickly and the clients see errors', async () => {
    const sim = await startSimulator({ tokenTtlSeconds: 600 });
    const agent = new Agent();
    try {
      const token = await accessToken(sim);
      sim.addFault({ endpoint: 'orgs', kind: 'hang' });
      sim.addFault({ endpoint: 'sddcs', kind: 'trickle' });
      const hung = request(`${sim.url}/vmc/api/orgs`, { dispatcher: agent, headers: { 'csp-auth-token': token } });
      const trickling = await request(`${sim.url}/vmc/api/orgs/${DEMO.orgs.prod}/sddcs`, { dispatcher: agent, headers: { 'csp-auth-token': token } });
      const body = trickling.body.text();
      await new Promise((r) => setTimeout(r, 50));
      const t = performance.now();
      await sim.close();
      assert.ok(performance.now() - t < 500, 'close() did not wait for them');
      await assert.rejects(hung);
      await assert.rejects(body);
    } finally {
      await agent.close();
    }
  });
});
