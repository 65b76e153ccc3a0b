import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/lib/clock.js';
import { DEMO } from '../../sim/src/demo-estate.js';
import { API_TOKEN_PATH, startSimulator, TOKEN_PATH, type Simulator } from '../../sim/src/server.js';
import { accessToken, basicAuth, listSddcs, postForm, vmcGet } from './helpers.js';

interface CspErrorBody {
  statusCode: number;
  cspErrorCode: string;
  message: string;
  moduleCode: number | string;
  requestId: string;
  traceId: string;
  metadata: null;
}

describe('simulator: CSP token endpoints', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ clock: new ManualClock(), clientId: 'app-1', clientSecret: 'shh-client-secret', apiToken: 'user-api-token-ABCDE' });
  });
  after(() => sim.close());

  it('issues a bearer token for client_credentials', async () => {
    const res = await postForm(sim, TOKEN_PATH, { grant_type: 'client_credentials' }, { authorization: basicAuth(sim) });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'id_token', 'refresh_token', 'scope', 'token_type']);
    assert.equal(body['token_type'], 'bearer');
    assert.equal(body['expires_in'], 1799);
    assert.equal(body['id_token'], null);
    assert.equal(body['refresh_token'], null);
    assert.match(String(body['access_token']), /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.ok(sim.secrets().includes(String(body['access_token'])));
  });

  it('answers 401 CSP error without Authorization', async () => {
    const res = await postForm(sim, TOKEN_PATH, { grant_type: 'client_credentials' });
    assert.equal(res.status, 401);
    const body = (await res.json()) as CspErrorBody;
    assert.equal(body.statusCode, 401);
    assert.equal(body.cspErrorCode, '250.100');
    assert.equal(body.message, 'Missing mandatory request header: authorization');
    assert.equal(body.moduleCode, 250);
    assert.equal(typeof body.requestId, 'string');
    assert.equal(typeof body.traceId, 'string');
    assert.equal(body.metadata, null);
  });

  it('answers 400 invalid_client for a wrong secret or id, without echoing it', async () => {
    for (const auth of [basicAuth(sim, 'app-1', 'wrong-secret-XYZ'), basicAuth(sim, 'other-app', 'shh-client-secret')]) {
      const res = await postForm(sim, TOKEN_PATH, { grant_type: 'client_credentials' }, { authorization: auth });
      assert.equal(res.status, 400);
      const text = await res.text();
      assert.match((JSON.parse(text) as CspErrorBody).message, /^invalid_client: /);
      assert.ok(!text.includes('wrong-secret') && !text.includes('shh-client-secret'));
    }
  });

  it('answers 400 for a missing or unsupported grant_type', async () => {
    for (const form of [{}, { grant_type: 'password' }] as Array<Record<string, string>>) {
      const res = await postForm(sim, TOKEN_PATH, form, { authorization: basicAuth(sim) });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as CspErrorBody).statusCode, 400);
    }
  });

  it('answers 400 for an orgId the app is not in', async () => {
    const res = await postForm(sim, TOKEN_PATH, { grant_type: 'client_credentials', orgId: 'ffffffff-0000-4000-8000-000000000000' }, { authorization: basicAuth(sim) });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as CspErrorBody).message, /not a member/);
  });

  it('rejects other methods on the token path', async () => {
    const res = await fetch(sim.url + TOKEN_PATH);
    assert.equal(res.status, 405);
  });

  it('exchanges the API token for an access token of the home org', async () => {
    const res = await postForm(sim, API_TOKEN_PATH, { api_token: 'user-api-token-ABCDE' });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { access_token: string; expires_in: number };
    assert.equal(body.expires_in, 1799);
    const orgs = (await (await vmcGet(sim, '/vmc/api/orgs', body.access_token)).json()) as Array<{ id: string }>;
    assert.deepEqual(orgs.map((o) => o.id), [DEMO.orgs.prod]);
  });

  it('answers 404 with the last 5 characters for an unknown API token, 400 when missing', async () => {
    const res = await postForm(sim, API_TOKEN_PATH, { api_token: 'not-the-token-QWERT' });
    assert.equal(res.status, 404);
    const body = (await res.json()) as CspErrorBody;
    assert.equal(body.cspErrorCode, '540.120-340.800');
    assert.equal(body.message, 'invalid_grant: Invalid refresh token: xxxx...QWERT');
    assert.equal(body.moduleCode, '540');
    const missing = await postForm(sim, API_TOKEN_PATH, {});
    assert.equal(missing.status, 400);
    const deprecated = await postForm(sim, API_TOKEN_PATH, { refresh_token: 'user-api-token-ABCDE' });
    assert.equal(deprecated.status, 400, 'only the api_token field is accepted');
  });

  it('answers 413 for an oversized form', async () => {
    const small = await startSimulator({ maxBodyBytes: 100 });
    try {
      const res = await postForm(small, TOKEN_PATH, { grant_type: 'client_credentials', pad: 'x'.repeat(200) }, { authorization: basicAuth(small) });
      assert.equal(res.status, 413);
    } finally {
      await small.close();
    }
  });
});

describe('simulator: VMC endpoints and token scoping', () => {
  let clock: ManualClock;
  let sim: Simulator;
  before(async () => {
    clock = new ManualClock();
    sim = await startSimulator({ clock, tokenTtlSeconds: 60 });
  });
  after(() => sim.close());

  it('an unscoped token is the home org token', async () => {
    const token = await accessToken(sim);
    const res = await vmcGet(sim, '/vmc/api/orgs', token);
    assert.equal(res.status, 200);
    const orgs = (await res.json()) as Array<Record<string, unknown>>;
    assert.equal(orgs.length, 1);
    assert.deepEqual(
      { id: orgs[0]?.['id'], name: orgs[0]?.['name'], display_name: orgs[0]?.['display_name'], org_type: orgs[0]?.['org_type'], project_state: orgs[0]?.['project_state'] },
      { id: DEMO.orgs.prod, name: 'acme-prod', display_name: 'ACME Production', org_type: 'CUSTOMER', project_state: 'CREATED' },
    );
    assert.equal((await listSddcs(sim, DEMO.orgs.prod, token)).length, 3);
  });

  it('a token of org A gets 403 ErrorResponse on org B, 404 on an unknown org', async () => {
    const token = await accessToken(sim, DEMO.orgs.dev);
    assert.equal((await listSddcs(sim, DEMO.orgs.dev, token)).length, 4);
    const res = await vmcGet(sim, `/vmc/api/orgs/${DEMO.orgs.lab}/sddcs`, token);
    assert.equal(res.status, 403);
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['error_code', 'error_messages', 'path', 'retryable', 'status']);
    assert.equal(body['status'], 403);
    assert.equal(body['retryable'], false);
    assert.equal(body['path'], `/vmc/api/orgs/${DEMO.orgs.lab}/sddcs`);
    const unknown = await vmcGet(sim, '/vmc/api/orgs/00000000-0000-4000-8000-000000000000/sddcs', token);
    assert.equal(unknown.status, 404);
  });

  it('includeDeleted=true adds DELETED SDDCs', async () => {
    const token = await accessToken(sim, DEMO.orgs.prod);
    const plain = await listSddcs(sim, DEMO.orgs.prod, token);
    const all = await listSddcs(sim, DEMO.orgs.prod, token, true);
    assert.equal(plain.length, 3);
    assert.equal(all.length, 4);
    assert.equal(all.find((s) => s['id'] === DEMO.sddcs.prodDeleted)?.['sddc_state'], 'DELETED');
  });

  it('serves single SDDCs and single orgs', async () => {
    const token = await accessToken(sim, DEMO.orgs.lab);
    const res = await vmcGet(sim, `/vmc/api/orgs/${DEMO.orgs.lab}/sddcs/${DEMO.sddcs.lab1node}`, token);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as Record<string, unknown>)['name'], 'lab-1node');
    assert.equal((await vmcGet(sim, `/vmc/api/orgs/${DEMO.orgs.lab}/sddcs/nope`, token)).status, 404);
    assert.equal((await vmcGet(sim, `/vmc/api/orgs/${DEMO.orgs.lab}`, token)).status, 200);
  });

  it('401 with WWW-Authenticate for missing, unknown, expired and revoked tokens', async () => {
    const path = `/vmc/api/orgs/${DEMO.orgs.prod}/sddcs`;
    const check = async (token: string | undefined, why: string) => {
      const res = await vmcGet(sim, path, token);
      assert.equal(res.status, 401, why);
      assert.ok(res.headers.get('www-authenticate'), why);
      const text = await res.text();
      if (token) assert.ok(!text.includes(token), 'token not echoed');
    };
    await check(undefined, 'missing');
    await check('garbage', 'unknown');

    const token = await accessToken(sim);
    clock.advance(59_999);
    assert.equal((await vmcGet(sim, path, token)).status, 200, 'valid until expires_in');
    clock.advance(1);
    await check(token, 'expired');

    const fresh = await accessToken(sim);
    assert.equal((await vmcGet(sim, path, fresh)).status, 200);
    sim.revokeTokens();
    await check(fresh, 'revoked');
    const after = await accessToken(sim);
    assert.equal((await vmcGet(sim, path, after)).status, 200, 'new tokens work after revoke');
  });

  it('answers 404 ErrorResponse for unknown paths and 405 for wrong methods', async () => {
    const res = await fetch(`${sim.url}/vmc/api/nothing`);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { status: number }).status, 404);
    assert.equal((await fetch(`${sim.url}/vmc/api/orgs`, { method: 'DELETE' })).status, 405);
  });

  it('counts requests per endpoint and org', async () => {
    sim.stats.reset();
    const home = await accessToken(sim);
    const dev = await accessToken(sim, DEMO.orgs.dev);
    await postForm(sim, API_TOKEN_PATH, { api_token: sim.credentials.apiToken });
    await vmcGet(sim, '/vmc/api/orgs', home);
    await listSddcs(sim, DEMO.orgs.dev, dev);
    await listSddcs(sim, DEMO.orgs.dev, dev);
    await vmcGet(sim, `/vmc/api/orgs/${DEMO.orgs.prod}/sddcs`, dev);
    const s = sim.stats.toJSON();
    assert.deepEqual(s.tokenRequests, { '': 1, [DEMO.orgs.dev]: 1 });
    assert.equal(s.apiTokenRequests, 1);
    assert.equal(s.tokensIssued, 3);
    assert.equal(s.orgListRequests, 1);
    assert.deepEqual(s.sddcListRequests, { [DEMO.orgs.dev]: 2, [DEMO.orgs.prod]: 1 });
    assert.equal(sim.stats.sddcListTotal, 3);
    sim.stats.reset();
    assert.deepEqual(sim.stats.sddcListRequests, {});
    assert.equal(sim.stats.tokensIssued, 0);
  });

  it('secrets() covers credentials, issued tokens and every password in the served JSON', async () => {
    const token = await accessToken(sim, DEMO.orgs.dev);
    const body = await (await vmcGet(sim, `/vmc/api/orgs/${DEMO.orgs.dev}/sddcs`, token)).text();
    const passwords = [...body.matchAll(/"[a-z_]*password":"([^"]+)"/g)].map((m) => m[1]);
    assert.equal(passwords.length, 12);
    const secrets = new Set(sim.secrets());
    for (const p of passwords) assert.ok(p !== undefined && secrets.has(p));
    assert.ok(secrets.has(token));
    assert.ok(secrets.has(sim.credentials.clientSecret));
    assert.ok(secrets.has(sim.credentials.apiToken));
  });

  it('adds latency to VMC answers only', async () => {
    const slow = await startSimulator({ latencyMs: 120 });
    try {
      let t = performance.now();
      const token = await accessToken(slow);
      assert.ok(performance.now() - t < 100, 'no latency on CSP');
      t = performance.now();
      await listSddcs(slow, DEMO.orgs.prod, token);
      assert.ok(performance.now() - t >= 110);
    } finally {
      await slow.close();
    }
  });
});
