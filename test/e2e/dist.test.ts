import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { promtoolCheckMetrics } from '../helpers/promtool.js';
import { requireTools } from '../ops/lib/tools.js';
import { cleanEnv, requireBuild, spawnExporter, spawnSimulator, type ChildExporter, type ChildSimulator, type SimAnnouncement } from '../helpers/processes.js';
import { parseExposition } from '../helpers/exposition.js';

type Json = Record<string, unknown>;
const SDDC_STATES = ['DEPLOYING', 'READY', 'DELETING', 'DELETED', 'FAILED', 'CANCELED', 'READY_FOR_GLCM_BRINGUP'];
const ESX_STATES = ['DEPLOYING', 'INITIALIZING', 'PROVISIONED', 'READY', 'DELETING', 'DELETED', 'FAILED', 'ADDING_TO_VCENTER', 'DELETING_FROM_VCENTER', 'PENDING_CLOUD_DELETION'];

/** Reads the simulator's raw SDDC lists the way any API client would (own token request). */
async function rawSddcs(sim: SimAnnouncement, org: string): Promise<Json[]> {
  const tokenRes = await fetch(`${sim.url}/csp/gateway/am/api/auth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${sim.clientId}:${sim.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: `grant_type=client_credentials&orgId=${org}`,
  });
  const { access_token } = (await tokenRes.json()) as { access_token: string };
  const res = await fetch(`${sim.url}/vmc/api/orgs/${org}/sddcs`, { headers: { 'csp-auth-token': access_token } });
  return (await res.json()) as Json[];
}

/** Independent expectations computed straight from the raw JSON. */
function expected(org: string, sddcs: Json[]): Map<string, number> {
  const want = new Map<string, number>();
  for (const state of SDDC_STATES) want.set(`vmc_sddcs{org_id="${org}",state="${state}"}`, sddcs.filter((s) => s['sddc_state'] === state).length);
  for (const s of sddcs) {
    const id = s['id'] as string;
    const base = `org_id="${org}",sddc_id="${id}"`;
    for (const state of SDDC_STATES) want.set(`vmc_sddc_state{${base},state="${state}"}`, s['sddc_state'] === state ? 1 : 0);
    want.set(`vmc_sddc_created_timestamp_seconds{${base}}`, Date.parse(s['created'] as string) / 1000);
    if (s['expiration_date']) want.set(`vmc_sddc_expiration_timestamp_seconds{${base}}`, Date.parse(s['expiration_date'] as string) / 1000);
    const rc = s['resource_config'] as Json | null;
    const clusters = (rc?.['clusters'] as Json[] | undefined) ?? [];
    if (clusters.length > 0) {
      const hosts = clusters.flatMap((c) => (c['esx_host_list'] as Json[]) ?? []);
      for (const st of ESX_STATES) want.set(`vmc_sddc_hosts{${base},state="${st}"}`, hosts.filter((h) => h['esx_state'] === st).length);
      for (const c of clusters) {
        const list = c['esx_host_list'] as Json[];
        const type = (c['esx_host_info'] as Json | undefined)?.['instance_type'] ?? list[0]?.['instance_type'] ?? '';
        want.set(`vmc_cluster_hosts{${base},cluster_id="${c['cluster_id']}",cluster_name="${c['cluster_name']}",instance_type="${type}"}`, list.length);
      }
    }
  }
  return want;
}

describe('built exporter (dist/main.js) against the simulator (sim/dist/cli.js)', () => {
  let sim: ChildSimulator;
  let exporter: ChildExporter;
  let url: string;

  before(async () => {
    requireBuild();
    sim = await spawnSimulator(['--listen', '127.0.0.1:0', '--estate', 'demo', '--latency-ms', '100'], cleanEnv());
    exporter = await spawnExporter(
      ['--web.listen-address=127.0.0.1:0', `--csp.url=${sim.sim.url}`, `--vmc.url=${sim.sim.url}`, `--vmc.org=${sim.sim.orgs.join(',')}`, '--cache.ttl=1s'],
      cleanEnv({ VMC_CLIENT_ID: sim.sim.clientId, VMC_CLIENT_SECRET: sim.sim.clientSecret }),
    );
    url = exporter.url;
  });
  after(async () => {
    await exporter?.stop();
    await sim?.stop();
  });

  test('every SDDC metric matches the simulator data exactly', async () => {
    const got = parseExposition(await (await fetch(`${url}/metrics`)).text());
    for (const org of sim.sim.orgs) {
      const raw = await rawSddcs(sim.sim, org);
      assert.ok(raw.length > 0);
      for (const [series, value] of expected(org, raw)) assert.equal(got.series.get(series), value, series);
      const ids = new Set(raw.map((s) => s['id']));
      for (const info of got.all('vmc_sddc_info', { org_id: org })) assert.ok(ids.has(info.labels['sddc_id']), `no stale SDDC ${info.labels['sddc_id']}`);
      assert.equal(got.value('vmc_up', { org_id: org }), 1);
    }
  });

  test('30 concurrent scrapes cause one SDDC fetch per org; one token per org serves them all', async () => {
    await fetch(`${sim.sim.url}/_sim/reset-stats`, { method: 'POST' });
    await new Promise((r) => setTimeout(r, 1100)); // let the 1 s cache expire
    const responses = await Promise.all(Array.from({ length: 30 }, () => fetch(`${url}/metrics`).then((r) => r.text())));
    assert.ok(responses.every((t) => t.includes('vmc_up')));
    const stats = (await (await fetch(`${sim.sim.url}/_sim/stats`)).json()) as { sddcListRequests: Record<string, number>; tokenRequests: Record<string, number> };
    for (const org of sim.sim.orgs) assert.equal(stats.sddcListRequests[org], 1, `SDDC list calls for ${org}`);
    assert.deepEqual(stats.tokenRequests, {}, 'the tokens from the first scrape are reused');
  });

  test('after every token is revoked the next scrape recovers', async () => {
    await fetch(`${sim.sim.url}/_sim/revoke-tokens`, { method: 'POST' });
    await new Promise((r) => setTimeout(r, 1100));
    const got = parseExposition(await (await fetch(`${url}/metrics`)).text());
    for (const org of sim.sim.orgs) assert.equal(got.value('vmc_up', { org_id: org }), 1, org);
  });

  test('promtool check metrics is clean on the real output', async (t) => {
    const tools = requireTools(t, 'promtool');
    if (!tools) return;
    const r = promtoolCheckMetrics(tools['promtool']!, await (await fetch(`${url}/metrics`)).text());
    assert.equal(r.status, 0, r.output);
    assert.equal(r.output.trim(), '', r.output);
  });

  test('HTTP surface: landing page, health, readiness, 404, 405', async () => {
    const landing = await fetch(`${url}/`);
    assert.match(await landing.text(), /href="\/metrics"/);
    assert.equal(landing.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(landing.headers.get('x-powered-by'), null);
    assert.equal((await fetch(`${url}/-/healthy`)).status, 200);
    assert.equal((await fetch(`${url}/-/ready`)).status, 200);
    const missing = await fetch(`${url}/nope`);
    assert.equal(missing.status, 404);
    assert.doesNotMatch(await missing.text(), /express|at .*\.js/i);
    assert.equal((await fetch(`${url}/metrics`, { method: 'POST' })).status, 405);
  });

  test('no secret in the output or the logs; SIGTERM exits 0', async () => {
    const body = await (await fetch(`${url}/metrics`)).text();
    const raw = JSON.stringify(await rawSddcs(sim.sim, sim.sim.orgs[0]!));
    const passwords = [...raw.matchAll(/"[a-z_]*password":"([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(passwords.length > 0, 'the simulator serves passwords');
    const { code } = await exporter.stop();
    assert.equal(code, 0);
    const logs = exporter.stdout() + exporter.stderr();
    assert.match(logs, /"msg":"stopped"/);
    for (const secret of [sim.sim.clientSecret, ...passwords]) {
      assert.ok(!body.includes(secret), 'secret in /metrics');
      assert.ok(!logs.includes(secret), 'secret in logs');
    }
  });
});
