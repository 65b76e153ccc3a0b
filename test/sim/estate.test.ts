import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/lib/clock.js';
import { DEMO, DEMO_ORGS, demoEstate } from '../../sim/src/demo-estate.js';
import { Estate, SimNotFoundError, type JsonObject } from '../../sim/src/estate.js';
import { generateEstate } from '../../sim/src/generate-estate.js';
import { clusterHosts } from './helpers.js';

const DAY = 86_400_000;

function byId(list: readonly JsonObject[], id: string): JsonObject {
  const found = list.find((s) => s['id'] === id);
  assert.ok(found, `SDDC ${id} present`);
  return found;
}

function rc(sddc: JsonObject): Record<string, unknown> {
  return sddc['resource_config'] as Record<string, unknown>;
}

/** Every string value under a key containing "password" anywhere in `value`. */
function passwordValues(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) passwordValues(v, out);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      if (typeof v === 'string' && /password/i.test(k)) out.push(v);
      else passwordValues(v, out);
    }
  }
  return out;
}

describe('demoEstate', () => {
  const clock = new ManualClock();
  const estate = demoEstate(clock);
  const [prod, dev, lab] = [DEMO.orgs.prod, DEMO.orgs.dev, DEMO.orgs.lab];

  it('has three orgs, home org first', () => {
    assert.deepEqual(estate.orgIds(), [prod, dev, lab]);
    assert.deepEqual(estate.orgs(), DEMO_ORGS);
  });

  it('lists SDDCs per org, DELETED only with includeDeleted', () => {
    const names = (org: string, includeDeleted = false) => estate.sddcs(org, { includeDeleted }).map((s) => `${s['name']}:${s['sddc_state']}`);
    assert.deepEqual(names(prod), ['prod-sddc-01:READY', 'prod-sddc-02-stretched:READY', 'prod-sddc-03:READY']);
    assert.deepEqual(names(prod, true), [...names(prod), 'prod-sddc-dr-old:DELETED']);
    assert.deepEqual(names(dev), [
      'dev-sddc-01:READY',
      'dev-sddc-ephemeral-1:DEPLOYING',
      'dev-sddc-failed:FAILED',
      'dev-sddc-glcm:READY_FOR_GLCM_BRINGUP',
    ]);
    assert.deepEqual(names(lab), ['lab-1node:READY', 'lab-sddc-canceled:CANCELED', 'lab-sddc-deleting:DELETING']);
  });

  it('has the two-cluster SDDC with a joining host and a stale esx_hosts list', () => {
    const sddc = byId(estate.sddcs(prod), DEMO.sddcs.prod01);
    const clusters = rc(sddc)['clusters'] as JsonObject[];
    assert.deepEqual(
      clusters.map((c) => [c['cluster_name'], c['cluster_state'], (c['esx_host_list'] as JsonObject[]).map((h) => h['esx_state'])]),
      [
        ['Cluster-1', 'READY', ['READY', 'READY', 'READY']],
        ['Cluster-2', 'ADDING_HOSTS', ['ADDING_TO_VCENTER']],
      ],
    );
    const flat = rc(sddc)['esx_hosts'] as JsonObject[];
    assert.equal(flat.length, 3);
    assert.ok(!flat.some((h) => h['esx_id'] === DEMO.hosts.prod01Joining));
    assert.equal(clusterHosts(sddc).find((h) => h['esx_id'] === DEMO.hosts.prod01Joining)?.['instance_type'], 'm7i.metal-24xl');
  });

  it('has a 1NODE SDDC expiring 5 days after now, created 55 days before', () => {
    const sddc = byId(estate.sddcs(lab), DEMO.sddcs.lab1node);
    assert.equal(sddc['sddc_type'], '1NODE');
    assert.equal(Date.parse(String(sddc['expiration_date'])), clock.now() + 5 * DAY);
    assert.equal(Date.parse(String(sddc['created'])), clock.now() - 55 * DAY);
    assert.equal(clusterHosts(sddc).length, 1);
  });

  it('has a stretched MULTI_AZ SDDC, and SDDCs with resource_config {} and null', () => {
    const stretched = byId(estate.sddcs(prod), DEMO.sddcs.prod02);
    assert.equal(rc(stretched)['deployment_type'], 'MULTI_AZ');
    assert.deepEqual(rc(stretched)['availability_zones'], ['us-west-2a', 'us-west-2b']);
    assert.equal(clusterHosts(stretched).length, 6);
    assert.deepEqual(byId(estate.sddcs(lab), DEMO.sddcs.labCanceled)['resource_config'], {});
    assert.equal(byId(estate.sddcs(lab), DEMO.sddcs.labDeleting)['resource_config'], null);
  });

  it('carries random password values and lists them all as secrets', () => {
    const all = estate.orgIds().flatMap((o) => estate.sddcs(o, { includeDeleted: true }));
    const values = passwordValues(all);
    assert.equal(values.length, 27);
    assert.ok(values.every((v) => v.startsWith('simpw-') && v.length > 12));
    const secrets = new Set(estate.secrets());
    for (const v of values) assert.ok(secrets.has(v));
    const other = demoEstate(clock).secrets();
    assert.ok(!other.some((v) => secrets.has(v)), 'fresh values per estate');
  });

  it('carries OAuth client secrets and key material (every secret field of the reference) and lists them as secrets', () => {
    const sddc = byId(estate.sddcs(prod), DEMO.sddcs.prod01);
    const r = rc(sddc);
    const fields = [
      (r['nsx_user_client'] as JsonObject)['secret'],
      (r['nsx_service_client'] as JsonObject)['secret'],
      (r['nsx_native_client'] as JsonObject)['secret'],
      (r['vc_oauth_client'] as JsonObject)['secret'],
      ((((r['agents'] as JsonObject[])[0]!['sddc_csp_oauth_client'] as JsonObject)['csp_oauth_client']) as JsonObject)['client_secret'],
      (((r['agents'] as JsonObject[])[0]!['key_pair']) as JsonObject)['key_material'],
    ];
    const secrets = new Set(estate.secrets());
    for (const v of fields) assert.ok(typeof v === 'string' && secrets.has(v), String(v));
    assert.equal(new Set(fields).size, fields.length, 'distinct values');
  });

  it('follows the reference: zero_cloud_region and sddc_security inside resource_config, witness enum_state', () => {
    const sddc = byId(estate.sddcs(prod), DEMO.sddcs.prod02);
    assert.ok(!('zero_cloud_region' in sddc));
    assert.ok('zero_cloud_region' in rc(sddc));
    assert.deepEqual(rc(sddc)['sddc_security'], { profile: 'PROFILE_DEFAULT', hardened: false });
    const witness = ((rc(sddc)['clusters'] as JsonObject[])[0]!['vsan_witness']) as JsonObject;
    assert.equal(witness['enum_state'], 'READY');
    assert.ok(!('esx_state' in witness));
  });

  it('has the signals of the SDDC payload: access DISABLED, UNLINKED, a FAILED host, fields left out', () => {
    assert.equal(byId(estate.sddcs(dev), DEMO.sddcs.dev01)['sddc_access_state'], 'DISABLED');
    assert.equal(byId(estate.sddcs(lab), DEMO.sddcs.lab1node)['account_link_state'], 'UNLINKED');
    assert.ok(!('sddc_access_state' in byId(estate.sddcs(lab), DEMO.sddcs.labCanceled)));
    assert.equal(clusterHosts(byId(estate.sddcs(dev), DEMO.sddcs.devFailed)).find((h) => h['esx_id'] === DEMO.hosts.devFailedHost)?.['esx_state'], 'FAILED');
    const stateless = clusterHosts(byId(estate.sddcs(dev), DEMO.sddcs.devGlcm)).find((h) => h['esx_id'] === DEMO.hosts.devGlcmStateless);
    assert.ok(stateless && !('esx_state' in stateless));
  });
});

describe('Estate mutations and body cache', () => {
  it('setSddcState / setHostState / removeSddc / addSddc change the served body', () => {
    const clock = new ManualClock();
    const estate = demoEstate(clock);
    const org = DEMO.orgs.prod;
    const before = estate.body(org);
    assert.equal(estate.body(org), before, 'cached buffer reused');

    clock.advance(1000);
    estate.setSddcState(org, DEMO.sddcs.prod03, 'FAILED');
    const afterState = JSON.parse(estate.body(org).toString()) as JsonObject[];
    const sddc = byId(afterState, DEMO.sddcs.prod03);
    assert.equal(sddc['sddc_state'], 'FAILED');
    assert.equal(Date.parse(String(sddc['updated'])), clock.now());

    const esxId = String(clusterHosts(sddc)[0]?.['esx_id']);
    estate.setHostState(org, DEMO.sddcs.prod03, esxId, 'DELETING_FROM_VCENTER');
    const updated = byId(JSON.parse(estate.body(org).toString()) as JsonObject[], DEMO.sddcs.prod03);
    assert.equal(clusterHosts(updated).find((h) => h['esx_id'] === esxId)?.['esx_state'], 'DELETING_FROM_VCENTER');
    const flat = (rc(updated)['esx_hosts'] as JsonObject[]).find((h) => h['esx_id'] === esxId);
    assert.equal(flat?.['esx_state'], 'DELETING_FROM_VCENTER', 'deprecated list follows');

    const secretsBefore = estate.secrets();
    estate.removeSddc(org, DEMO.sddcs.prod03);
    assert.equal(estate.sddcs(org).length, 2);
    assert.deepEqual(estate.secrets(), secretsBefore, 'removed values stay listed');

    estate.addSddc(org, { id: 'extra', name: 'extra', sddc_state: 'READY', resource_config: { cloud_password: 'simpw-extra' } });
    assert.equal(estate.sddcs(org).at(-1)?.['id'], 'extra');
    assert.ok(estate.secrets().includes('simpw-extra'));
  });

  it('throws SimNotFoundError for unknown orgs, SDDCs and hosts', () => {
    const estate = demoEstate(new ManualClock());
    assert.throws(() => estate.setSddcState('nope', DEMO.sddcs.prod01, 'READY'), SimNotFoundError);
    assert.throws(() => estate.setSddcState(DEMO.orgs.prod, 'nope', 'READY'), SimNotFoundError);
    assert.throws(() => estate.setHostState(DEMO.orgs.prod, DEMO.sddcs.prod01, 'nope', 'READY'), SimNotFoundError);
    assert.throws(() => estate.removeSddc(DEMO.orgs.dev, DEMO.sddcs.prod01), SimNotFoundError);
    assert.throws(() => estate.sddcs('nope'), SimNotFoundError);
  });

  it('copies added SDDCs', () => {
    const estate = new Estate({ orgs: [{ id: 'o', name: 'o', display_name: 'O' }], sddcs: {} });
    const input = { id: 's', sddc_state: 'READY' };
    estate.addSddc('o', input);
    input.sddc_state = 'FAILED';
    assert.equal(estate.sddcs('o')[0]?.['sddc_state'], 'READY');
  });
});

describe('generateEstate', () => {
  it('has exactly orgs × sddcs SDDCs with hosts spread over clusters', () => {
    const estate = generateEstate({ orgs: 3, sddcsPerOrg: 40, hostsPerSddc: 5, clustersPerSddc: 2, seed: 7 });
    assert.equal(estate.orgIds().length, 3);
    let sddcs = 0;
    for (const org of estate.orgIds()) {
      const list = JSON.parse(estate.body(org).toString()) as JsonObject[];
      assert.equal(list.length, 40);
      for (const s of list) {
        sddcs++;
        assert.equal(s['org_id'], org);
        const clusters = rc(s)['clusters'] as JsonObject[];
        assert.deepEqual(clusters.map((c) => (c['esx_host_list'] as unknown[]).length), [3, 2]);
        assert.equal((rc(s)['esx_hosts'] as unknown[]).length, 5);
        assert.equal(typeof rc(s)['cloud_password'], 'string');
      }
    }
    assert.equal(sddcs, 120);
  });

  it('is deterministic by seed apart from passwords, and mostly READY', () => {
    const strip = (e: Estate) => e.orgIds().map((o) => e.body(o).toString().replace(/"sim(?:pw|cs|key)-[^"]+"/g, '"x"')).join('\n');
    const a = generateEstate({ orgs: 2, sddcsPerOrg: 100, seed: 3 });
    const b = generateEstate({ orgs: 2, sddcsPerOrg: 100, seed: 3 });
    const c = generateEstate({ orgs: 2, sddcsPerOrg: 100, seed: 4 });
    assert.equal(strip(a), strip(b));
    assert.notEqual(strip(a), strip(c));
    assert.notDeepEqual(a.secrets(), b.secrets());
    const states = a.orgIds().flatMap((o) => a.sddcs(o).map((s) => s['sddc_state']));
    const ready = states.filter((s) => s === 'READY').length;
    assert.ok(ready > 150 && ready < 200, `mostly READY (${ready}/200)`);
    assert.ok(!states.includes('DELETED'));
  });

  it('secrets() covers every password value present in the JSON', () => {
    const estate = generateEstate({ orgs: 2, sddcsPerOrg: 20, hostsPerSddc: 2, clustersPerSddc: 1 });
    const values = estate.orgIds().flatMap((o) => passwordValues(JSON.parse(estate.body(o).toString())));
    assert.equal(values.length, 2 * 20 * 3);
    const secrets = new Set(estate.secrets());
    for (const v of values) assert.ok(secrets.has(v));
  });

  it('rejects bad sizes', () => {
    assert.throws(() => generateEstate({ orgs: 0 }), RangeError);
    assert.throws(() => generateEstate({ clustersPerSddc: 0 }), RangeError);
    assert.throws(() => generateEstate({ hostsPerSddc: 1.5 }), RangeError);
  });
});
