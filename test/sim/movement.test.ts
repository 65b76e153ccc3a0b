import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/lib/clock.js';
import { DEMO, DEMO_CYCLE_MS, demoEstate } from '../../sim/src/demo-estate.js';
import type { JsonObject } from '../../sim/src/estate.js';
import { startSimulator, type Simulator } from '../../sim/src/server.js';
import { accessToken, clusterHosts, listSddcs } from './helpers.js';

const S = 1000;

function find(list: readonly JsonObject[], id: string): JsonObject | undefined {
  return list.find((s) => s['id'] === id);
}

function hostState(sddc: JsonObject | undefined, esxId: string): unknown {
  return sddc && clusterHosts(sddc).find((h) => h['esx_id'] === esxId)?.['esx_state'];
}

function clusterStates(sddc: JsonObject | undefined): unknown[] {
  const clusters = ((sddc?.['resource_config'] as { clusters?: JsonObject[] } | undefined)?.clusters ?? []) as JsonObject[];
  return clusters.map((c) => c['cluster_state']);
}

describe('demo movement (pure, on the estate)', () => {
  const clock = new ManualClock();
  const start = clock.now();
  const estate = demoEstate(clock);
  const dev = (t: number, includeDeleted = false) => estate.sddcs(DEMO.orgs.dev, { at: start + t, includeDeleted });
  const prod = (t: number) => estate.sddcs(DEMO.orgs.prod, { at: start + t });

  it('is the static estate at the start of the cycle', () => {
    assert.deepEqual(dev(0), estate.sddcs(DEMO.orgs.dev));
    assert.deepEqual(prod(0), estate.sddcs(DEMO.orgs.prod));
    assert.deepEqual(prod(179 * S), estate.sddcs(DEMO.orgs.prod));
  });

  it('deploys, readies, deletes and redeploys the slot SDDC', () => {
    assert.equal(find(dev(179 * S), DEMO.sddcs.devDeploying)?.['sddc_state'], 'DEPLOYING');
    const ready = find(dev(180 * S), DEMO.sddcs.devDeploying);
    assert.equal(ready?.['sddc_state'], 'READY');
    assert.deepEqual(clusterStates(ready), ['READY']);
    assert.ok(clusterHosts(ready ?? {}).every((h) => h['esx_state'] === 'READY'));
    assert.equal(find(dev(480 * S), DEMO.sddcs.devDeploying)?.['sddc_state'], 'DELETING');
    assert.equal(find(dev(540 * S), DEMO.sddcs.devDeploying), undefined, 'DELETED is hidden');
    assert.equal(find(dev(540 * S, true), DEMO.sddcs.devDeploying)?.['sddc_state'], 'DELETED');

    const next = dev(DEMO_CYCLE_MS + 10 * S);
    const slot = next.find((s) => s['name'] === 'dev-sddc-ephemeral-2');
    assert.ok(slot, 'a new SDDC deploys in the next cycle');
    assert.equal(slot['sddc_state'], 'DEPLOYING');
    assert.notEqual(slot['id'], DEMO.sddcs.devDeploying);
    assert.equal(find(next, DEMO.sddcs.devDeploying), undefined);
    assert.equal(Date.parse(String(slot['created'])), start + DEMO_CYCLE_MS);
    const ids = clusterHosts(slot).map((h) => h['esx_id']);
    const firstIds = clusterHosts(find(dev(0), DEMO.sddcs.devDeploying) ?? {}).map((h) => h['esx_id']);
    assert.equal(new Set([...ids, ...firstIds]).size, 6, 'new host ids');
    assert.equal(dev(DEMO_CYCLE_MS + 10 * S).length, 4);
  });

  it('joins the ADDING_TO_VCENTER host after 240 s', () => {
    const at = (t: number) => find(prod(t), DEMO.sddcs.prod01);
    assert.equal(hostState(at(239 * S), DEMO.hosts.prod01Joining), 'ADDING_TO_VCENTER');
    assert.deepEqual(clusterStates(at(239 * S)), ['READY', 'ADDING_HOSTS']);
    assert.equal(hostState(at(240 * S), DEMO.hosts.prod01Joining), 'READY');
    assert.deepEqual(clusterStates(at(240 * S)), ['READY', 'READY']);
    const flat = (at(240 * S)?.['resource_config'] as { esx_hosts: unknown[] }).esx_hosts;
    assert.equal(flat.length, 3, 'deprecated list still lists only Cluster-1');
  });

  it('takes a prod03 host out for a while', () => {
    const at = (t: number) => hostState(find(prod(t), DEMO.sddcs.prod03), DEMO.hosts.prod03Flaky);
    assert.deepEqual(
      [at(359 * S), at(360 * S), at(420 * S), at(480 * S), at(DEMO_CYCLE_MS + 365 * S)],
      ['READY', 'FAILED', 'INITIALIZING', 'READY', 'FAILED'],
    );
  });

  it('fails and replaces the stretched SDDC\'s witness for a while', () => {
    const witness = (t: number) => {
      const rc = find(prod(t), DEMO.sddcs.prod02)?.['resource_config'] as { clusters: JsonObject[] };
      return (rc.clusters[0]?.['vsan_witness'] as JsonObject)['enum_state'];
    };
    assert.deepEqual(
      [witness(359 * S), witness(360 * S), witness(420 * S), witness(480 * S), witness(DEMO_CYCLE_MS + 400 * S)],
      ['READY', 'FAILED', 'DEPLOYING', 'READY', 'FAILED'],
    );
  });

  it('changes the phase only at boundaries and never moves pinned entities', () => {
    const m = estate.movement;
    assert.ok(m);
    assert.equal(m.phase(start + 10 * S), m.phase(start + 170 * S));
    assert.notEqual(m.phase(start + 170 * S), m.phase(start + 190 * S));
    const pinned = demoEstate(clock);
    pinned.setSddcState(DEMO.orgs.dev, DEMO.sddcs.devDeploying, 'FAILED');
    pinned.setHostState(DEMO.orgs.prod, DEMO.sddcs.prod03, DEMO.hosts.prod03Flaky, 'READY');
    assert.equal(find(pinned.sddcs(DEMO.orgs.dev, { at: start + 200 * S }), DEMO.sddcs.devDeploying)?.['sddc_state'], 'FAILED');
    assert.equal(hostState(find(pinned.sddcs(DEMO.orgs.prod, { at: start + 370 * S }), DEMO.sddcs.prod03), DEMO.hosts.prod03Flaky), 'READY');
  });
});

describe('movement through the server', () => {
  let clock: ManualClock;
  let moving: Simulator;
  let still: Simulator;
  before(async () => {
    clock = new ManualClock();
    moving = await startSimulator({ clock, movement: true, tokenTtlSeconds: 86_400 });
    still = await startSimulator({ clock, tokenTtlSeconds: 86_400 });
  });
  after(async () => {
    await Promise.all([moving.close(), still.close()]);
  });

  it('serves states that change as the clock advances only when movement is on', async () => {
    const tokenMoving = await accessToken(moving, DEMO.orgs.dev);
    const tokenStill = await accessToken(still, DEMO.orgs.dev);
    const state = async (sim: Simulator, token: string) =>
      find(await listSddcs(sim, DEMO.orgs.dev, token), DEMO.sddcs.devDeploying)?.['sddc_state'];
    assert.equal(await state(moving, tokenMoving), 'DEPLOYING');
    clock.advance(200 * S);
    assert.equal(await state(moving, tokenMoving), 'READY');
    assert.equal(await state(still, tokenStill), 'DEPLOYING');
  });
});
