import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/lib/clock.js';
import { DEMO } from '../../sim/src/demo-estate.js';
import { startSimulator, type Simulator } from '../../sim/src/server.js';
import { accessToken, clusterHosts, listSddcs, vmcGet } from './helpers.js';

describe('simulator: HTTP control API', () => {
  let sim: Simulator;
  let token: string;
  before(async () => {
    sim = await startSimulator({ clock: new ManualClock(), tokenTtlSeconds: 86_400 });
    token = await accessToken(sim, DEMO.orgs.prod);
  });
  after(() => sim.close());

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sim.url}/_sim/${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('GET stats and POST reset-stats', async () => {
    await listSddcs(sim, DEMO.orgs.prod, token);
    const stats = await call('GET', 'stats');
    assert.equal(stats.status, 200);
    assert.equal((stats.body['sddcListRequests'] as Record<string, number>)[DEMO.orgs.prod], 1);
    assert.equal((await call('POST', 'reset-stats')).status, 200);
    assert.deepEqual((await call('GET', 'stats')).body['sddcListRequests'], {});
  });

  it('POST / GET / DELETE faults', async () => {
    const added = await call('POST', 'faults', { endpoint: 'sddcs', status: 503, times: 1 });
    assert.equal(added.status, 201);
    const listed = await fetch(`${sim.url}/_sim/faults`).then((r) => r.json());
    assert.deepEqual(listed, [{ endpoint: 'sddcs', status: 503, times: 1, remaining: 1 }]);
    assert.equal((await vmcGet(sim, `/vmc/api/orgs/${DEMO.orgs.prod}/sddcs`, token)).status, 503);
    assert.equal((await vmcGet(sim, `/vmc/api/orgs/${DEMO.orgs.prod}/sddcs`, token)).status, 200);
    await call('POST', 'faults', { endpoint: 'any', status: 500 });
    assert.equal((await call('DELETE', 'faults')).status, 200);
    assert.deepEqual(sim.faults(), []);
    const bad = await call('POST', 'faults', { endpoint: 'sddcs', kind: 'explode' });
    assert.equal(bad.status, 400);
    assert.match(String(bad.body['error']), /kind/);
  });

  it('PUT SDDC and host states, DELETE an SDDC, POST an SDDC', async () => {
    const base = `orgs/${DEMO.orgs.prod}/sddcs/${DEMO.sddcs.prod03}`;
    assert.equal((await call('PUT', `${base}/state`, { state: 'FAILED' })).status, 200);
    const esxId = DEMO.hosts.prod03Flaky;
    assert.equal((await call('PUT', `${base}/hosts/${esxId}/state`, { state: 'DELETING' })).status, 200);
    let list = await listSddcs(sim, DEMO.orgs.prod, token);
    const sddc = list.find((s) => s['id'] === DEMO.sddcs.prod03);
    assert.equal(sddc?.['sddc_state'], 'FAILED');
    assert.equal(clusterHosts(sddc ?? {}).find((h) => h['esx_id'] === esxId)?.['esx_state'], 'DELETING');

    assert.equal((await call('DELETE', base)).status, 200);
    list = await listSddcs(sim, DEMO.orgs.prod, token);
    assert.equal(list.length, 2);

    assert.equal((await call('POST', `orgs/${DEMO.orgs.prod}/sddcs`, { id: 'added-1', name: 'added', sddc_state: 'READY' })).status, 201);
    list = await listSddcs(sim, DEMO.orgs.prod, token);
    assert.equal(list.at(-1)?.['id'], 'added-1');
  });

  it('404 for unknown ids and paths, 400 for bad bodies', async () => {
    assert.equal((await call('PUT', `orgs/${DEMO.orgs.prod}/sddcs/nope/state`, { state: 'READY' })).status, 404);
    assert.equal((await call('PUT', `orgs/nope/sddcs/x/state`, { state: 'READY' })).status, 404);
    assert.equal((await call('DELETE', `orgs/${DEMO.orgs.prod}/sddcs/nope`)).status, 404);
    assert.equal((await call('PUT', `orgs/${DEMO.orgs.prod}/sddcs/${DEMO.sddcs.prod01}/state`, { status: 'READY' })).status, 400);
    assert.equal((await call('GET', 'nothing')).status, 404);
    const res = await fetch(`${sim.url}/_sim/faults`, { method: 'POST', body: '{not json' });
    assert.equal(res.status, 400);
  });

  it('POST revoke-tokens makes VMC answer 401', async () => {
    const fresh = await accessToken(sim, DEMO.orgs.prod);
    assert.equal((await call('POST', 'revoke-tokens')).status, 200);
    assert.equal((await vmcGet(sim, `/vmc/api/orgs/${DEMO.orgs.prod}/sddcs`, fresh)).status, 401);
    token = await accessToken(sim, DEMO.orgs.prod);
  });

  it('GET secrets and GET orgs', async () => {
    const { body } = await call('GET', 'secrets');
    const secrets = body['secrets'] as string[];
    assert.ok(secrets.includes(sim.credentials.clientSecret));
    assert.ok(secrets.includes(token));
    const orgs = (await fetch(`${sim.url}/_sim/orgs`).then((r) => r.json())) as Array<{ id: string }>;
    assert.deepEqual(orgs.map((o) => o.id), sim.orgIds);
  });

  it('can be switched off', async () => {
    const closed = await startSimulator({ controlApi: false });
    try {
      const res = await fetch(`${closed.url}/_sim/stats`);
      assert.equal(res.status, 404);
      assert.equal(((await res.json()) as { status: number }).status, 404, 'a VMC ErrorResponse');
    } finally {
      await closed.close();
    }
  });
});
