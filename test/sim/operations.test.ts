/**
 * The simulator's operational endpoints: maintenance reservations, tasks with the `$filter`
 * subset, subscriptions, AWS connections, EDRS policies and the API-token details, with their
 * access checks, per-endpoint faults, counters and the request log.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/lib/clock.js';
import { DEMO, DEMO_SIGNALS } from '../../sim/src/demo-estate.js';
import { API_TOKEN_DETAILS_PATH, startSimulator, type Simulator } from '../../sim/src/server.js';
import { accessToken, vmcGet } from './helpers.js';

const { prod, dev, lab } = DEMO.orgs;
const DAY = 86_400_000;

describe('simulator: operational endpoints', () => {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12, 30, 0));
  let sim: Simulator;
  let token: string;
  let devToken: string;

  before(async () => {
    sim = await startSimulator({ clock, tokenTtlSeconds: 86_400, apiToken: 'sim-api-token-0123456789abcdef' });
    token = await accessToken(sim, prod);
    devToken = await accessToken(sim, dev);
  });
  afterEach(() => sim.clearFaults());
  after(() => sim.close());

  const post = (path: string, body: unknown, t: string | null = token) =>
    fetch(sim.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(t === null ? {} : { 'csp-auth-token': t }) },
      body: JSON.stringify(body),
    });

  it('POST tbrs/reservation: windows by SDDC id, filtered by the states of the body', async () => {
    const res = await post(`/vmc/api/orgs/${prod}/tbrs/reservation`, { states: ['SCHEDULED', 'RUNNING'] });
    assert.equal(res.status, 200);
    const map = (await res.json()) as Record<string, Array<Record<string, unknown>>>;
    assert.deepEqual(Object.keys(map).sort(), [DEMO.sddcs.prod01, DEMO.sddcs.prod03]);
    const soon = map[DEMO.sddcs.prod01]![0]!;
    assert.equal(soon['reserve_id'], DEMO_SIGNALS.windowIn3Days);
    assert.equal(soon['reservation_state'], 'SCHEDULED');
    assert.equal(Date.parse(`${String(soon['start_date'])}T00:00:00Z`) + Number(soon['start_hour']) * 3_600_000, Math.floor((clock.now() + 3 * DAY) / 3_600_000) * 3_600_000);
    assert.equal(map[DEMO.sddcs.prod03]![0]!['reservation_state'], 'RUNNING');
    const all = (await (await post(`/vmc/api/orgs/${prod}/tbrs/reservation`, {})).json()) as Record<string, unknown[]>;
    assert.ok(DEMO.sddcs.prod02 in all, 'without states every window, the COMPLETED one too');
    assert.equal((await post(`/vmc/api/orgs/${prod}/tbrs/reservation`, { states: 'RUNNING' })).status, 400);
    assert.equal((await vmcGet(sim, `/vmc/api/orgs/${prod}/tbrs/reservation`, token)).status, 405);
    assert.equal((await post(`/vmc/api/orgs/${dev}/tbrs/reservation`, {})).status, 403, 'a token of another org');
    assert.equal((await post(`/vmc/api/orgs/${prod}/tbrs/reservation`, {}, null)).status, 401);
  });

  it('GET tasks: the whole list, or what the $filter keeps; 400 for a filter outside the subset', async () => {
    const all = (await (await vmcGet(sim, `/vmc/api/orgs/${prod}/tasks`, token)).json()) as Array<Record<string, unknown>>;
    assert.equal(all.length, 4);
    const since = new Date(clock.now() - DAY).toISOString();
    const filter = encodeURIComponent(`(created gt ${since}) or (status eq 'STARTED') or (status eq 'CANCELING')`);
    const res = await vmcGet(sim, `/vmc/api/orgs/${prod}/tasks?%24filter=${filter}`, token);
    const kept = (await res.json()) as Array<Record<string, unknown>>;
    assert.deepEqual(kept.map((t) => t['id']).sort(), [DEMO_SIGNALS.failedHostAdd, '7a7a7a7a-0000-4000-8000-000000000002', '7a7a7a7a-0000-4000-8000-000000000003'].sort());
    const bad = await vmcGet(sim, `/vmc/api/orgs/${prod}/tasks?$filter=${encodeURIComponent("contains(task_type,'ADD')")}`, token);
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error_messages: string[] }).error_messages[0]!, /^Invalid \$filter: /);
    const failed = kept.find((t) => t['id'] === DEMO_SIGNALS.failedHostAdd)!;
    assert.deepEqual([failed['status'], failed['task_type']], ['FAILED', 'CLUSTER-ADD-HOSTS']);
    const dev9h = ((await (await vmcGet(sim, `/vmc/api/orgs/${dev}/tasks`, devToken)).json()) as Array<Record<string, unknown>>).find((t) => t['id'] === DEMO_SIGNALS.hostAddTooLong)!;
    assert.equal(dev9h['status'], 'STARTED');
    assert.equal(Date.parse(String(dev9h['created'])), clock.now() - 9 * 3_600_000);
  });

  it('GET subscriptions: every field a string, one ending in 20 days, an on-demand one without an end', async () => {
    const subs = (await (await vmcGet(sim, `/vmc/api/orgs/${prod}/subscriptions`, token)).json()) as Array<Record<string, unknown>>;
    assert.equal(subs.length, 3);
    for (const s of subs) for (const v of Object.values(s)) assert.equal(typeof v, 'string');
    const soon = subs.find((s) => s['csp_subscription_id'] === DEMO_SIGNALS.subscriptionIn20Days)!;
    assert.equal(Date.parse(String(soon['end_date'])), clock.now() + 20 * DAY);
    assert.equal(soon['quantity'], '3');
    assert.ok(!('end_date' in subs.find((s) => s['offer_type'] === 'ON_DEMAND')!));
    assert.ok(subs.every((s) => !('host_type' in s) && !('product_type' in s)), 'no host type field');
  });

  it('GET account-link/sddc-connections: one BROKEN, one DELETED, optionally for one SDDC', async () => {
    const all = (await (await vmcGet(sim, `/vmc/api/orgs/${prod}/account-link/sddc-connections`, token)).json()) as Array<Record<string, unknown>>;
    assert.deepEqual(all.map((c) => c['state']).sort(), ['ACTIVE', 'ACTIVE', 'ACTIVE', 'BROKEN', 'DELETED']);
    const one = (await (await vmcGet(sim, `/vmc/api/orgs/${prod}/account-link/sddc-connections?sddc=${DEMO.sddcs.prod02}`, token)).json()) as unknown[];
    assert.equal(one.length, 2);
  });

  it('GET edrs-policy per SDDC: set, derived from the clusters, 400 for a 1-node SDDC, 404 for an unknown SDDC', async () => {
    const edrs = (org: string, sddc: string, t: string) => vmcGet(sim, `/vmc/autoscaler/api/orgs/${org}/sddcs/${sddc}/edrs-policy`, t);
    const set = (await (await edrs(prod, DEMO.sddcs.prod01, token)).json()) as Array<Record<string, unknown>>;
    assert.equal(set[0]!['status_key'], 'skyscraper.autoscaler.elastic.drs.max.hosts');
    assert.equal((set[0]!['edrs_policy'] as Record<string, unknown>)['max_hosts'], 3);
    const derived = (await (await edrs(prod, DEMO.sddcs.prod03, token)).json()) as Array<Record<string, unknown>>;
    assert.deepEqual(derived.map((c) => (c['edrs_policy'] as Record<string, unknown>)['policy_type']), ['storage-scaleup']);
    const labToken = await accessToken(sim, lab);
    assert.equal((await edrs(lab, DEMO.sddcs.lab1node, labToken)).status, 400);
    assert.equal((await edrs(prod, 'nope', token)).status, 404);
    assert.equal((await fetch(`${sim.url}/vmc/autoscaler/api/orgs/${prod}/sddcs/${DEMO.sddcs.prod01}/edrs-policy`, { method: 'POST', headers: { 'csp-auth-token': token } })).status, 405);
  });

  it('POST api-tokens/details: anonymous, expiresAt in seconds or milliseconds, 404 for another token, 400 without one', async () => {
    const details = (body: unknown) => fetch(sim.url + API_TOKEN_DETAILS_PATH, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const ok = (await (await details({ tokenValue: sim.credentials.apiToken })).json()) as Record<string, unknown>;
    assert.equal(ok['expiresAt'], Math.floor((clock.now() + 10 * DAY) / 1000));
    assert.equal(ok['orgId'], prod);
    sim.setApiTokenDetails({ expiresAtMs: Date.UTC(2027, 0, 1), unit: 'milliseconds' });
    assert.equal(((await (await details({ tokenValue: sim.credentials.apiToken })).json()) as Record<string, unknown>)['expiresAt'], Date.UTC(2027, 0, 1));
    assert.equal((await details({ tokenValue: 'other' })).status, 404);
    assert.equal((await details({})).status, 400);
    assert.equal((await fetch(sim.url + API_TOKEN_DETAILS_PATH)).status, 405);
  });

  it('faults per endpoint: status with and without Retry-After, latency, malformed, hang', async () => {
    sim.addFault({ endpoint: 'tasks', org: prod, status: 429, headers: { 'Retry-After': '30' }, times: 1 });
    sim.addFault({ endpoint: 'subscriptions', status: 429, times: 1 });
    const limited = await vmcGet(sim, `/vmc/api/orgs/${prod}/tasks`, token);
    assert.deepEqual([limited.status, limited.headers.get('retry-after')], [429, '30']);
    const bare = await vmcGet(sim, `/vmc/api/orgs/${prod}/subscriptions`, token);
    assert.deepEqual([bare.status, bare.headers.get('retry-after')], [429, null]);
    sim.addFault({ endpoint: 'aws-link', kind: 'malformed', times: 1 });
    const malformed = await vmcGet(sim, `/vmc/api/orgs/${prod}/account-link/sddc-connections`, token);
    await assert.rejects(malformed.json());
    sim.addFault({ endpoint: 'maintenance', latencyMs: 150, times: 1 });
    const t0 = performance.now();
    assert.equal((await post(`/vmc/api/orgs/${prod}/tbrs/reservation`, {})).status, 200);
    assert.ok(performance.now() - t0 >= 140);
    sim.addFault({ endpoint: 'edrs', kind: 'hang' });
    const hung = vmcGet(sim, `/vmc/autoscaler/api/orgs/${prod}/sddcs/${DEMO.sddcs.prod03}/edrs-policy`, token);
    const raced = await Promise.race([hung.then(() => 'answered'), new Promise((r) => setTimeout(() => r('hung'), 200))]);
    assert.equal(raced, 'hung');
    sim.clearFaults();
    assert.equal((await hung).status, 200, 'answered once faults are cleared');
    sim.addFault({ endpoint: 'api-token-details', status: 500, times: 1 });
    assert.equal((await fetch(sim.url + API_TOKEN_DETAILS_PATH, { method: 'POST', body: '{}' })).status, 500);
  });

  it('counts every endpoint and logs every request line, write attempts included', async () => {
    sim.stats.reset();
    await post(`/vmc/api/orgs/${prod}/tbrs/reservation`, {});
    await vmcGet(sim, `/vmc/api/orgs/${prod}/tasks`, token);
    await vmcGet(sim, `/vmc/api/orgs/${prod}/subscriptions`, token);
    await vmcGet(sim, `/vmc/api/orgs/${prod}/account-link/sddc-connections`, token);
    await vmcGet(sim, `/vmc/autoscaler/api/orgs/${prod}/sddcs/${DEMO.sddcs.prod03}/edrs-policy`, token);
    await fetch(sim.url + API_TOKEN_DETAILS_PATH, { method: 'POST', body: '{}' });
    const write = await fetch(`${sim.url}/vmc/api/orgs/${prod}/tasks/t1?action=cancel`, { method: 'POST', headers: { 'csp-auth-token': token } });
    assert.ok(write.status >= 400, 'no write endpoint');
    const s = sim.stats.toJSON();
    assert.deepEqual(
      [s.maintenanceRequests, s.taskRequests, s.subscriptionRequests, s.awsLinkRequests, s.edrsRequests, s.apiTokenDetailsRequests],
      [{ [prod]: 1 }, { [prod]: 1 }, { [prod]: 1 }, { [prod]: 1 }, { [`${prod}/${DEMO.sddcs.prod03}`]: 1 }, 1],
    );
    assert.equal(s.routedRequests, 6);
    assert.ok(s.requestLog.includes(`POST /vmc/api/orgs/${prod}/tasks/t1`));
    assert.ok(s.requestLog.includes(`POST /vmc/api/orgs/${prod}/tbrs/reservation`));
    const viaApi = (await (await fetch(`${sim.url}/_sim/stats`)).json()) as { requestLog: string[] };
    assert.equal(viaApi.requestLog.length, s.requestLog.length);
  });
});
