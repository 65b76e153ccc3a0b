/**
 * Real VMC / CSP payloads (test/fixtures/real-world, sources and licenses in its README.md)
 * fed to the SDDC parser. The expected values are those of the README's "Summary for test
 * assertions" table and its facts section.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

import { MalformedResponseError } from '../../src/lib/errors.js';
import { parseSddcList } from '../../src/vmc/parse-sddcs.js';
import type { Cluster, Sddc, SddcList } from '../../src/vmc/types.js';

const FIXTURES = new URL('../fixtures/real-world/', import.meta.url);

function load(file: string): unknown {
  return JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')) as unknown;
}

/** A fixture as an SDDC list body: single objects are wrapped in `[ ]`. */
function parseWrapped(file: string): SddcList {
  const json = load(file);
  return parseSddcList(Array.isArray(json) ? json : [json]);
}

/** The expected view of one SDDC (fields not listed are not checked). */
interface ExpectedSddc {
  readonly id: string;
  readonly state: string;
  /** `undefined` = no host information. */
  readonly hostStates: Record<string, number> | undefined;
  readonly clusters: readonly Pick<Cluster, 'id' | 'name' | 'hosts'>[];
  /** `expiration_date` as ISO text, or undefined when null/absent. */
  readonly expiration: string | undefined;
}

interface SddcFixture {
  readonly file: string;
  /** Entries in the payload (before dedupe). */
  readonly entries: number;
  readonly sddcs: readonly ExpectedSddc[];
  readonly problems: number;
}

const F46 = 'f46eda60-c67c-4613-a7fe-526b87948cb7';
const NO_HOSTS = undefined;

/** The README's "Summary for test assertions" table. */
const SDDC_FIXTURES: readonly SddcFixture[] = [
  {
    file: 'salt-modules-sddc-get-by-id.json',
    entries: 1,
    sddcs: [{ id: F46, state: 'READY', hostStates: NO_HOSTS, clusters: [], expiration: undefined }],
    problems: 0,
  },
  {
    file: 'salt-modules-sddc-list-2-duplicate-id.json',
    entries: 2,
    sddcs: [{ id: F46, state: 'READY', hostStates: NO_HOSTS, clusters: [], expiration: undefined }],
    problems: 1,
  },
  {
    file: 'salt-states-sddc-list-1.json',
    entries: 1,
    sddcs: [{ id: 'testSDDC1', state: 'READY', hostStates: NO_HOSTS, clusters: [], expiration: undefined }],
    problems: 0,
  },
  {
    file: 'salt-states-sddc-list-2.json',
    entries: 2,
    sddcs: [
      { id: 'testSDDC1', state: 'READY', hostStates: NO_HOSTS, clusters: [], expiration: undefined },
      { id: 'testSDDC2', state: 'READY', hostStates: NO_HOSTS, clusters: [], expiration: undefined },
    ],
    problems: 0,
  },
  {
    file: 'salt-states-sddc-1node-zerocloud-active.json',
    entries: 1,
    sddcs: [
      {
        id: 'c2f3f894-a1f6-46de-a983-f5d3466f7346',
        state: 'ACTIVE',
        hostStates: { READY: 1 },
        clusters: [{ id: '798e91a8-0361-4f28-8ecf-4e9ddeb06d9e', name: 'Cluster-1', hosts: 1 }],
        expiration: '2022-06-27T10:41:58.000521Z',
      },
    ],
    problems: 0,
  },
  {
    file: 'salt-host-sddc-get-by-id-esx-hosts-object.json',
    entries: 1,
    sddcs: [
      {
        id: F46,
        state: 'UNKNOWN',
        hostStates: { READY: 2 },
        clusters: [{ id: 'e97920ae-1410-4269-9caa-29584eb8cf6d', name: 'Cluster-757-1', hosts: 2 }],
        expiration: undefined,
      },
    ],
    problems: 0,
  },
  {
    file: 'salt-clusters-sddc-get-by-id-clusters-wrapped.json',
    entries: 1,
    sddcs: [{ id: F46, state: 'UNKNOWN', hostStates: NO_HOSTS, clusters: [], expiration: undefined }],
    problems: 0,
  },
];

/** Payloads that are not SDDCs: wrapped in `[ ]`, each entry lacks an `id` and is skipped. */
const OTHER_FIXTURES: readonly { readonly file: string; readonly entries: number }[] = [
  { file: 'salt-cluster-4-hosts.json', entries: 1 },
  { file: 'salt-esx-host-list-2.json', entries: 2 },
  { file: 'salt-csp-token-response-access-token-only.json', entries: 1 },
  { file: 'salt-http-error-403-body.json', entries: 1 },
  { file: 'tfvmc-issue183-csp-error-401-missing-authorization.json', entries: 1 },
  { file: 'tfvmc-task-v2-operation-failed.json', entries: 1 },
  { file: 'vib-csp-error-404-invalid-refresh-token.json', entries: 1 },
  { file: 'vib-csp-token-response.json', entries: 1 },
  { file: 'wavefront-csp-token-response.json', entries: 1 },
];

function view(sddc: Sddc): ExpectedSddc {
  return {
    id: sddc.id,
    state: sddc.state,
    hostStates: sddc.hostStates === undefined ? undefined : Object.fromEntries(sddc.hostStates),
    clusters: sddc.clusters.map((c) => ({ id: c.id, name: c.name, hosts: c.hosts })),
    expiration:
      sddc.expirationSeconds === undefined
        ? undefined
        : new Date(sddc.expirationSeconds * 1000).toISOString(),
  };
}

/** Expected ISO text after the parser's millisecond truncation. */
function toMs(iso: string | undefined): string | undefined {
  return iso === undefined ? undefined : new Date(Date.parse(iso)).toISOString();
}

const jsonFiles = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('real-world fixtures: housekeeping', () => {
  it('ships the fixtures README (sources and licenses) with the fixtures', () => {
    assert.ok(existsSync(new URL('README.md', FIXTURES)));
  });

  it('classifies every fixture file exactly once', () => {
    const known = [...SDDC_FIXTURES.map((f) => f.file), ...OTHER_FIXTURES.map((f) => f.file)].sort();
    assert.deepEqual(jsonFiles, known);
  });
});

describe('real-world fixtures: every file is parsed without surprises', () => {
  for (const file of jsonFiles) {
    it(`${file}: parses (wrapped) or throws MalformedResponseError only`, () => {
      let list: SddcList;
      try {
        list = parseWrapped(file);
      } catch (err) {
        assert.ok(err instanceof MalformedResponseError, `unexpected ${String(err)}`);
        return;
      }
      // Never leak redacted secrets (or anything like them) into the typed output.
      const text = JSON.stringify({
        sddcs: list.sddcs.map((s) => ({ ...s, hostStates: s.hostStates && [...s.hostStates] })),
        problems: list.problems,
      });
      assert.doesNotMatch(text, /REDACTED|password/i);
    });

    it(`${file}: unwrapped, a non-array throws MalformedResponseError naming the type`, () => {
      const json = load(file);
      if (Array.isArray(json)) {
        assert.doesNotThrow(() => parseSddcList(json));
        return;
      }
      assert.throws(() => parseSddcList(json), {
        name: 'MalformedResponseError',
        message: 'expected a JSON array of SDDCs, got object',
      });
    });
  }
});

describe('real-world fixtures: SDDC payloads (README summary table)', () => {
  for (const fx of SDDC_FIXTURES) {
    it(`${fx.file}: states, hosts, clusters, expiration`, () => {
      const json = load(fx.file);
      assert.equal(Array.isArray(json) ? json.length : 1, fx.entries);
      const list = parseWrapped(fx.file);
      assert.deepEqual(
        list.sddcs.map(view),
        fx.sddcs.map((s) => ({ ...s, expiration: toMs(s.expiration) })),
      );
      assert.equal(list.problems.length, fx.problems, list.problems.join(' | '));
    });
  }

  it('duplicate id: 2 entries, 1 SDDC, the id reported once', () => {
    const list = parseWrapped('salt-modules-sddc-list-2-duplicate-id.json');
    assert.equal(list.sddcs.length, 1);
    assert.deepEqual(list.problems, [`SDDC id "${F46}" appears more than once; kept the first entry`]);
  });

  it('1NODE ZEROCLOUD SDDC: every typed field', () => {
    const [sddc] = parseWrapped('salt-states-sddc-1node-zerocloud-active.json').sddcs;
    assert.ok(sddc);
    assert.deepEqual(
      { ...sddc, hostStates: sddc.hostStates && Object.fromEntries(sddc.hostStates) },
      {
        id: 'c2f3f894-a1f6-46de-a983-f5d3466f7346',
        name: 'prerna-new-sddc-1',
        state: 'ACTIVE',
        provider: 'ZEROCLOUD',
        region: 'US_WEST_2',
        sddcType: '1NODE',
        deploymentType: 'SINGLE_AZ',
        vmcVersion: '1.16',
        createdSeconds: Date.UTC(2022, 3, 28, 10, 41, 58) / 1000,
        expirationSeconds: Date.UTC(2022, 5, 27, 10, 41, 58) / 1000,
        accessState: 'ENABLED',
        accountLinkState: '',
        hostStates: { READY: 1 },
        clusters: [
          {
            id: '798e91a8-0361-4f28-8ecf-4e9ddeb06d9e',
            name: 'Cluster-1',
            state: 'READY',
            instanceType: 'i3.metal',
            hosts: 1,
            capacity: { cpuCores: 36, cpuHertz: 82_800_000_000, memoryBytes: 512 * 2 ** 30, storageBytes: 10617 * 2 ** 30 },
            witnessState: undefined,
          },
        ],
        hosts: [
          {
            id: '42b44ff9-cadb-4fa1-bff4-7b01a302400b',
            clusterId: '798e91a8-0361-4f28-8ecf-4e9ddeb06d9e',
            name: 'Not Really ESX977321ac-ab39-445e-86d9-61072446e0a3',
            state: 'READY',
            instanceType: 'i3.metal',
            availabilityZone: 'us-west-2a',
          },
        ],
      },
    );
    // 1NODE SDDCs expire 60 days after creation in this fixture.
    assert.equal(
      (sddc.expirationSeconds ?? 0) - (sddc.createdSeconds ?? 0),
      60 * 24 * 3600,
    );
  });

  it('salt SDDC objects without sddc_state, provider, sddc_type or expiration_date', () => {
    for (const file of [
      'salt-host-sddc-get-by-id-esx-hosts-object.json',
      'salt-clusters-sddc-get-by-id-clusters-wrapped.json',
    ]) {
      const [sddc] = parseWrapped(file).sddcs;
      assert.ok(sddc);
      assert.equal(sddc.state, 'UNKNOWN');
      assert.equal(sddc.provider, '');
      assert.equal(sddc.sddcType, '');
      assert.equal(sddc.expirationSeconds, undefined);
      assert.equal(sddc.createdSeconds, Date.parse('2021-04-05T18:29:35.000Z') / 1000);
      assert.equal(sddc.name, 'CMBU-STG-NSXT-M12v6-04-05-21');
    }
  });

  it('esx_hosts as an object is ignored; clusters give 2 hosts', () => {
    const [sddc] = parseWrapped('salt-host-sddc-get-by-id-esx-hosts-object.json').sddcs;
    assert.deepEqual(sddc?.clusters, [
      {
        id: 'e97920ae-1410-4269-9caa-29584eb8cf6d',
        name: 'Cluster-757-1',
        state: 'READY',
        instanceType: 'i3.metal',
        hosts: 2,
        capacity: { cpuCores: 144, cpuHertz: 331_200_000_000, memoryBytes: 2048 * 2 ** 30, storageBytes: 42468 * 2 ** 30 },
        witnessState: undefined,
      },
    ]);
    assert.deepEqual(
      sddc?.hosts.map((h) => [h.id, h.state, h.instanceType, h.availabilityZone]),
      [
        ['f5437b89-3360-444c-ab14-3332e32e03cd', 'READY', 'i3.metal', 'us-west-2a'],
        ['8bba6fee-0db7-441e-a7fd-86cc4ecce480', 'READY', 'i3.metal', ''],
      ],
      'the host with availability_zone null has an empty zone',
    );
  });

  it('access and account link states: ENABLED where sent, empty (UNKNOWN in metrics) where absent', () => {
    const states = SDDC_FIXTURES.map((fx) => parseWrapped(fx.file).sddcs.map((s) => `${s.id}:${s.accessState}:${s.accountLinkState}`)).flat();
    assert.deepEqual(states, [
      `${F46}:ENABLED:`,
      `${F46}:ENABLED:`,
      'testSDDC1:ENABLED:',
      'testSDDC1:ENABLED:',
      'testSDDC2:ENABLED:',
      'c2f3f894-a1f6-46de-a983-f5d3466f7346:ENABLED:',
      `${F46}::`,
      `${F46}::`,
    ]);
  });

  it('clusters wrapped in an object count as absent: no clusters, no host series', () => {
    const [sddc] = parseWrapped('salt-clusters-sddc-get-by-id-clusters-wrapped.json').sddcs;
    assert.equal(sddc?.hostStates, undefined);
    assert.deepEqual(sddc?.clusters, []);
  });

  it('resource_config with 3 keys or {}: no region, version or hosts', () => {
    for (const file of ['salt-modules-sddc-get-by-id.json', 'salt-states-sddc-list-1.json']) {
      const [sddc] = parseWrapped(file).sddcs;
      assert.ok(sddc);
      assert.equal(sddc.provider, 'AWS');
      assert.equal(sddc.sddcType, '');
      assert.equal(sddc.region, '');
      assert.equal(sddc.vmcVersion, '');
      assert.equal(sddc.hostStates, undefined);
    }
  });
});

describe('real-world fixtures: non-SDDC payloads are harmless', () => {
  for (const fx of OTHER_FIXTURES) {
    it(`${fx.file}: no SDDC, one "no id" problem per entry`, () => {
      const list = parseWrapped(fx.file);
      assert.deepEqual(list.sddcs, []);
      assert.deepEqual(
        list.problems,
        Array.from({ length: fx.entries }, (_, i) => `SDDC entry ${i} has no id; skipped`),
      );
    });
  }
});
