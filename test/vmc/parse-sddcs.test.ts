import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { MalformedResponseError } from '../../src/lib/errors.js';
import { parseSddcList } from '../../src/vmc/parse-sddcs.js';
import type { Sddc, SddcList } from '../../src/vmc/types.js';

/** Parses a list holding exactly one entry and returns the one SDDC. */
function one(entry: unknown): Sddc {
  const list = parseSddcList([entry]);
  assert.equal(list.sddcs.length, 1, `expected one SDDC, problems: ${list.problems.join(' | ')}`);
  const sddc = list.sddcs[0];
  assert.ok(sddc);
  return sddc;
}

function states(sddc: Sddc): Record<string, number> | undefined {
  return sddc.hostStates === undefined ? undefined : Object.fromEntries(sddc.hostStates);
}

function host(state?: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return state === undefined ? { ...extra } : { esx_state: state, ...extra };
}

function withRc(resourceConfig: unknown): Record<string, unknown> {
  return { id: 's1', resource_config: resourceConfig };
}

describe('parseSddcList: top level', () => {
  const notArrays: [string, unknown, string][] = [
    ['object', { id: 's1', cloud_password: 'hunter2' }, 'object'],
    ['null', null, 'null'],
    ['string', '[{"id":"s1"}]', 'string'],
    ['number', 42, 'number'],
    ['boolean', true, 'boolean'],
    ['undefined', undefined, 'undefined'],
  ];
  for (const [label, input, typeName] of notArrays) {
    it(`throws MalformedResponseError for a top-level ${label}, naming the type only`, () => {
      assert.throws(
        () => parseSddcList(input),
        (err: unknown) => {
          assert.ok(err instanceof MalformedResponseError);
          assert.equal(err.code, 'MALFORMED_RESPONSE');
          assert.equal(err.message, `expected a JSON array of SDDCs, got ${typeName}`);
          assert.doesNotMatch(err.message, /hunter2|s1/);
          return true;
        },
      );
    });
  }

  it('accepts an empty array', () => {
    assert.deepEqual(parseSddcList([]), { sddcs: [], problems: [] });
  });
});

describe('parseSddcList: entries', () => {
  it('skips entries that are not objects, reporting the index and type only', () => {
    const list = parseSddcList([null, 'text', 7, ['id'], { id: 'ok' }]);
    assert.deepEqual(
      list.sddcs.map((s) => s.id),
      ['ok'],
    );
    assert.deepEqual(list.problems, [
      'SDDC entry 0 is null, not an object; skipped',
      'SDDC entry 1 is string, not an object; skipped',
      'SDDC entry 2 is number, not an object; skipped',
      'SDDC entry 3 is array, not an object; skipped',
    ]);
  });

  const badIds: [string, Record<string, unknown>][] = [
    ['missing', { name: 'secret-name', cloud_password: 'hunter2' }],
    ['null', { id: null }],
    ['empty', { id: '' }],
    ['a number', { id: 12 }],
    ['an object', { id: { value: 'x' } }],
  ];
  for (const [label, entry] of badIds) {
    it(`skips an entry whose id is ${label}, with a problem naming the index only`, () => {
      const list = parseSddcList([{ id: 'a' }, entry]);
      assert.deepEqual(
        list.sddcs.map((s) => s.id),
        ['a'],
      );
      assert.deepEqual(list.problems, ['SDDC entry 1 has no id; skipped']);
    });
  }

  it('keeps the first of repeated ids and reports the id once', () => {
    const list = parseSddcList([
      { id: 'dup', name: 'first' },
      { id: 'other' },
      { id: 'dup', name: 'second' },
      { id: 'dup', name: 'third' },
    ]);
    assert.deepEqual(
      list.sddcs.map((s) => [s.id, s.name]),
      [
        ['dup', 'first'],
        ['other', ''],
      ],
    );
    assert.deepEqual(list.problems, ['SDDC id "dup" appears more than once; kept the first entry']);
  });

  it('reports each repeated id once, in order of first repeat', () => {
    const list = parseSddcList([{ id: 'b' }, { id: 'a' }, { id: 'a' }, { id: 'b' }, { id: 'a' }]);
    assert.equal(list.sddcs.length, 2);
    assert.deepEqual(list.problems, [
      'SDDC id "a" appears more than once; kept the first entry',
      'SDDC id "b" appears more than once; kept the first entry',
    ]);
  });

  it('sorts SDDCs by id in code-unit order', () => {
    const list = parseSddcList([{ id: 'b' }, { id: 'B' }, { id: 'a' }, { id: '10' }, { id: '9' }]);
    assert.deepEqual(
      list.sddcs.map((s) => s.id),
      ['10', '9', 'B', 'a', 'b'],
    );
  });

  it('never puts payload text other than ids into problems', () => {
    const list = parseSddcList([
      { cloud_password: 'hunter2' },
      'hunter2',
      { id: 'x', resource_config: { clusters: [{ cluster_name: 'hunter2', cloud_password: 'hunter2' }] } },
    ]);
    for (const p of list.problems) assert.doesNotMatch(p, /hunter2/);
    assert.equal(list.problems.length, 3);
  });

  it('quotes and cuts very long ids in problems', () => {
    const long = 'x'.repeat(500);
    const list = parseSddcList([{ id: long }, { id: long }]);
    assert.equal(list.problems.length, 1);
    const [p] = list.problems;
    assert.ok(p !== undefined && p.length < 200, p);
  });
});

describe('parseSddcList: scalar fields', () => {
  it('reads every field of a complete SDDC', () => {
    const sddc = one({
      id: 'sddc-1',
      name: 'prod',
      sddc_state: 'READY',
      provider: 'AWS',
      sddc_type: '1NODE',
      sddc_access_state: 'DISABLED',
      account_link_state: 'UNLINKED',
      created: '2022-04-28T10:41:58.000521Z',
      expiration_date: '2022-06-27T10:41:58.000521Z',
      resource_config: {
        region: 'US_WEST_2',
        deployment_type: 'SINGLE_AZ',
        provider: 'ZEROCLOUD',
        sddc_manifest: { vmc_version: '1.24', vmc_internal_version: '1.24.0.12' },
        cloud_password: 'hunter2',
      },
    });
    assert.deepEqual(
      { ...sddc, hostStates: states(sddc) },
      {
        id: 'sddc-1',
        name: 'prod',
        state: 'READY',
        provider: 'AWS',
        region: 'US_WEST_2',
        sddcType: '1NODE',
        deploymentType: 'SINGLE_AZ',
        vmcVersion: '1.24',
        createdSeconds: Date.UTC(2022, 3, 28, 10, 41, 58) / 1000,
        expirationSeconds: Date.UTC(2022, 5, 27, 10, 41, 58) / 1000,
        accessState: 'DISABLED',
        accountLinkState: 'UNLINKED',
        hostStates: undefined,
        clusters: [],
        hosts: [],
      },
    );
    assert.doesNotMatch(JSON.stringify(sddc), /hunter2/);
  });

  it('gives empty strings and undefined for a bare {id}', () => {
    const sddc = one({ id: 'bare' });
    assert.deepEqual(
      { ...sddc },
      {
        id: 'bare',
        name: '',
        state: 'UNKNOWN',
        provider: '',
        region: '',
        sddcType: '',
        deploymentType: '',
        vmcVersion: '',
        createdSeconds: undefined,
        expirationSeconds: undefined,
        accessState: '',
        accountLinkState: '',
        hostStates: undefined,
        clusters: [],
        hosts: [],
      },
    );
  });

  const unknownStates = ['ACTIVE', 'DELETION_FAILED', 'SOMETHING_NEW', 'ready', 'READY_FOR_GLCM_BRINGUP'];
  for (const state of unknownStates) {
    it(`passes sddc_state ${state} through unchanged`, () => {
      assert.equal(one({ id: 's', sddc_state: state }).state, state);
    });
  }

  const wrongTypes: [string, unknown][] = [
    ['null', null],
    ['a number', 3],
    ['a boolean', true],
    ['an object', { value: 'READY' }],
    ['an array', ['READY']],
  ];
  for (const [label, value] of wrongTypes) {
    it(`treats string fields that are ${label} as absent ('', UNKNOWN for the state)`, () => {
      const sddc = one({
        id: 's',
        name: value,
        sddc_state: value,
        provider: value,
        sddc_type: value,
        resource_config: {
          region: value,
          deployment_type: value,
          provider: value,
          sddc_manifest: { vmc_version: value },
        },
      });
      assert.equal(sddc.name, '');
      assert.equal(sddc.state, 'UNKNOWN');
      assert.equal(sddc.provider, '');
      assert.equal(sddc.sddcType, '');
      assert.equal(sddc.region, '');
      assert.equal(sddc.deploymentType, '');
      assert.equal(sddc.vmcVersion, '');
    });
  }

  it('falls back to resource_config.provider when provider is absent, null or empty', () => {
    for (const top of [undefined, null, '', 5]) {
      const sddc = one({ id: 's', provider: top, resource_config: { provider: 'ZEROCLOUD' } });
      assert.equal(sddc.provider, 'ZEROCLOUD', `top-level provider ${String(top)}`);
    }
    assert.equal(one({ id: 's', provider: 'AWS', resource_config: { provider: 'ZEROCLOUD' } }).provider, 'AWS');
  });

  it('treats a sddc_manifest of the wrong shape as absent', () => {
    for (const manifest of [null, 'x', ['1.24'], 1.24]) {
      assert.equal(one(withRc({ sddc_manifest: manifest })).vmcVersion, '');
    }
  });

  const resourceConfigs: [string, unknown][] = [
    ['null', null],
    ['absent', undefined],
    ['{}', {}],
    ['a string', 'resource'],
    ['an array', [{ region: 'US_WEST_2' }]],
    ['a number', 0],
  ];
  for (const [label, rc] of resourceConfigs) {
    it(`tolerates resource_config ${label}: no region, no hosts, no clusters`, () => {
      const sddc = one({ id: 's', sddc_state: 'READY', provider: 'AWS', resource_config: rc });
      assert.equal(sddc.state, 'READY');
      assert.equal(sddc.provider, 'AWS');
      assert.equal(sddc.region, '');
      assert.equal(sddc.deploymentType, '');
      assert.equal(sddc.vmcVersion, '');
      assert.equal(sddc.hostStates, undefined);
      assert.deepEqual(sddc.clusters, []);
    });
  }

  it('ignores unknown fields anywhere', () => {
    const sddc = one({
      id: 's',
      sddc_template_id: null,
      one_node_reduced_capacity: true,
      resource_config: {
        agents: { x: 1 },
        clusters: [
          { cluster_id: 'c', volume_list: [], esx_host_list: [host('READY', { finger_print: null })] },
        ],
      },
    });
    assert.deepEqual(states(sddc), { READY: 1 });
  });
});

describe('parseSddcList: timestamps', () => {
  const cases: [string, unknown, number | undefined][] = [
    ['microsecond fraction', '2022-06-27T10:41:58.000521Z', 1656326518],
    ['millisecond fraction', '2022-04-28T10:42:03.135Z', 1651142523.135],
    ['nanosecond fraction', '2022-04-28T10:42:03.135999999Z', 1651142523.135],
    ['no fraction', '2021-04-08T02:17:04Z', 1617848224],
    ['zero fraction with six digits', '2021-04-08T02:17:04.000000Z', 1617848224],
    ['offset', '2022-06-27T12:41:58+02:00', 1656326518],
    ['offset without colon', '2022-06-27T12:41:58+0200', 1656326518],
    ['no zone (read as UTC)', '2022-06-27T10:41:58.000521', 1656326518],
    ['date only', '2022-06-27', 1656288000],
    ['null', null, undefined],
    ['absent', undefined, undefined],
    ['empty string', '', undefined],
    ['garbage', 'not a date', undefined],
    ['RFC 1123 string (not ISO)', 'Mon, 27 Jun 2022 10:41:58 GMT', undefined],
    ['year only', '2022', undefined],
    ['a number', 1656326518000, undefined],
    ['an object', { $date: '2022-06-27T10:41:58Z' }, undefined],
    ['invalid month', '2022-13-01T00:00:00Z', undefined],
  ];
  for (const [label, value, expected] of cases) {
    it(`created / expiration_date: ${label}`, () => {
      const sddc = one({ id: 's', created: value, expiration_date: value });
      assert.equal(sddc.createdSeconds, expected);
      assert.equal(sddc.expirationSeconds, expected);
    });
  }

  it('reads a zone-less date-time as UTC whatever the process time zone', () => {
    const saved = process.env['TZ'];
    try {
      process.env['TZ'] = 'America/New_York';
      assert.equal(one({ id: 's', created: '2022-06-27T10:41:58' }).createdSeconds, 1656326518);
    } finally {
      if (saved === undefined) delete process.env['TZ'];
      else process.env['TZ'] = saved;
    }
  });
});

describe('parseSddcList: hosts', () => {
  const cases: [string, unknown, Record<string, number> | undefined][] = [
    ['no resource_config', undefined, undefined],
    ['resource_config {}', {}, undefined],
    ['esx_hosts [] and no clusters: known zero', { esx_hosts: [] }, {}],
    [
      'esx_hosts only (no clusters key)',
      { esx_hosts: [host('READY'), host('READY'), host('FAILED')] },
      { READY: 2, FAILED: 1 },
    ],
    ['esx_hosts with clusters: null', { clusters: null, esx_hosts: [host('READY')] }, { READY: 1 }],
    ['esx_hosts with clusters: []', { clusters: [], esx_hosts: [host('READY')] }, { READY: 1 }],
    [
      'esx_hosts with clusters as an object (wrong shape)',
      { clusters: { clusters: [{ cluster_id: 'c', esx_host_list: [host('READY')] }] }, esx_hosts: [host('DELETING')] },
      { DELETING: 1 },
    ],
    [
      'clusters as an object and no esx_hosts: no host information',
      { clusters: { clusters: [{ cluster_id: 'c', esx_host_list: [host('READY')] }] } },
      undefined,
    ],
    ['esx_hosts an object (wrong shape)', { esx_hosts: host('READY') }, undefined],
    ['esx_hosts null', { esx_hosts: null }, undefined],
    [
      'clusters win over esx_hosts (deprecated, may list only the first cluster)',
      {
        esx_hosts: [host('READY')],
        clusters: [
          { cluster_id: 'c1', esx_host_list: [host('READY')] },
          { cluster_id: 'c2', esx_host_list: [host('ADDING_TO_VCENTER'), host('READY')] },
        ],
      },
      { READY: 2, ADDING_TO_VCENTER: 1 },
    ],
    [
      'clusters present but none with an esx_host_list array: no host information',
      {
        esx_hosts: [host('READY')],
        clusters: [{ cluster_id: 'c1' }, { cluster_id: 'c2', esx_host_list: null }, { cluster_id: 'c3', esx_host_list: {} }],
      },
      undefined,
    ],
    [
      'clusters with empty esx_host_list: known zero',
      { clusters: [{ cluster_id: 'c1', esx_host_list: [] }] },
      {},
    ],
    [
      'unknown, missing and wrongly typed esx_state',
      {
        clusters: [
          {
            cluster_id: 'c1',
            esx_host_list: [host('WEIRD_NEW_STATE'), host(), host(null), host(7), host('READY')],
          },
        ],
      },
      { WEIRD_NEW_STATE: 1, UNKNOWN: 3, READY: 1 },
    ],
    [
      'host entries that are not objects are ignored',
      { clusters: [{ cluster_id: 'c1', esx_host_list: [null, 'esx-1', 3, [host('READY')], host('READY')] }] },
      { READY: 1 },
    ],
    [
      'hosts of clusters without cluster_id or that are not objects',
      {
        clusters: [
          null,
          'cluster',
          { esx_host_list: [host('READY'), host('READY')] },
          { cluster_id: '', esx_host_list: [host('FAILED')] },
          { cluster_id: 'c1', esx_host_list: [host('READY')] },
        ],
      },
      { READY: 3, FAILED: 1 },
    ],
    [
      'a repeated cluster id is counted once',
      {
        clusters: [
          { cluster_id: 'c1', esx_host_list: [host('READY')] },
          { cluster_id: 'c1', esx_host_list: [host('READY')] },
        ],
      },
      { READY: 1 },
    ],
  ];
  for (const [label, rc, expected] of cases) {
    it(label, () => {
      assert.deepEqual(states(one(withRc(rc))), expected);
    });
  }

  it('counts 16 hosts in each of many clusters', () => {
    const clusters = Array.from({ length: 4 }, (_, c) => ({
      cluster_id: `c${c}`,
      esx_host_list: Array.from({ length: 16 }, (_, h) => host(h % 4 === 0 ? 'DEPLOYING' : 'READY')),
    }));
    const sddc = one(withRc({ clusters }));
    assert.deepEqual(states(sddc), { DEPLOYING: 16, READY: 48 });
    assert.deepEqual(
      sddc.clusters.map((c) => c.hosts),
      [16, 16, 16, 16],
    );
  });
});

describe('parseSddcList: clusters', () => {
  it('reads id, name, state, instance type and host count, sorted by id', () => {
    const sddc = one(
      withRc({
        clusters: [
          {
            cluster_id: 'c2',
            cluster_name: 'Cluster-2',
            cluster_state: 'ADDING_HOSTS',
            esx_host_info: { instance_type: 'm7i.metal-24xl' },
            esx_host_list: [host('ADDING_TO_VCENTER', { instance_type: 'i4i.metal' })],
          },
          {
            cluster_id: 'c1',
            cluster_name: 'Cluster-1',
            cluster_state: 'READY',
            esx_host_info: { instance_type: 'i4i.metal' },
            esx_host_list: [host('READY'), host('READY'), host('READY')],
          },
        ],
      }),
    );
    assert.deepEqual(sddc.clusters, [
      { id: 'c1', name: 'Cluster-1', state: 'READY', instanceType: 'i4i.metal', hosts: 3, capacity: undefined, witnessState: undefined },
      { id: 'c2', name: 'Cluster-2', state: 'ADDING_HOSTS', instanceType: 'm7i.metal-24xl', hosts: 1, capacity: undefined, witnessState: undefined },
    ]);
  });

  const instanceTypes: [string, Record<string, unknown>, string][] = [
    ['esx_host_info wins', { esx_host_info: { instance_type: 'i3en.metal' }, esx_host_list: [host('READY', { instance_type: 'i3.metal' })] }, 'i3en.metal'],
    ['first host when esx_host_info is absent', { esx_host_list: [host('READY', { instance_type: 'i3.metal' }), host('READY', { instance_type: 'r5.metal' })] }, 'i3.metal'],
    ['first host when esx_host_info is null', { esx_host_info: null, esx_host_list: [host('READY', { instance_type: 'i3.metal' })] }, 'i3.metal'],
    ['first host when esx_host_info.instance_type is null', { esx_host_info: { instance_type: null }, esx_host_list: [host('READY', { instance_type: 'i3.metal' })] }, 'i3.metal'],
    ['first host when esx_host_info.instance_type is empty', { esx_host_info: { instance_type: '' }, esx_host_list: [host('READY', { instance_type: 'i3.metal' })] }, 'i3.metal'],
    ['first object host, skipping non-objects', { esx_host_list: [null, 'x', host('READY', { instance_type: 'c6i.metal' })] }, 'c6i.metal'],
    ['empty when the first host has none', { esx_host_list: [host('READY'), host('READY', { instance_type: 'i3.metal' })] }, ''],
    ['empty when there are no hosts', { esx_host_list: [] }, ''],
    ['empty when esx_host_list is absent', {}, ''],
    ['empty when esx_host_info is a string', { esx_host_info: 'i3.metal' }, ''],
  ];
  for (const [label, fields, expected] of instanceTypes) {
    it(`instanceType: ${label}`, () => {
      const [cluster] = one(withRc({ clusters: [{ cluster_id: 'c', ...fields }] })).clusters;
      assert.equal(cluster?.instanceType, expected);
    });
  }

  const hostLists: [string, unknown, number | undefined][] = [
    ['absent', undefined, undefined],
    ['null', null, undefined],
    ['an object', { hosts: [] }, undefined],
    ['a number', 3, undefined],
    ['empty', [], 0],
    ['two hosts', [host('READY'), host('FAILED')], 2],
    ['hosts without esx_state', [{}, {}], 2],
  ];
  for (const [label, list, expected] of hostLists) {
    it(`hosts: esx_host_list ${label} → ${String(expected)}`, () => {
      const [cluster] = one(withRc({ clusters: [{ cluster_id: 'c', esx_host_list: list }] })).clusters;
      assert.equal(cluster?.hosts, expected);
    });
  }

  it('skips clusters without a usable cluster_id or that are not objects, reporting them', () => {
    const list = parseSddcList([
      withRc({
        clusters: [
          { cluster_name: 'no-id', esx_host_list: [host('READY')] },
          { cluster_id: null },
          { cluster_id: 42 },
          null,
          ['c9'],
          { cluster_id: 'c1', cluster_name: 'Cluster-1' },
        ],
      }),
    ]);
    const sddc = list.sddcs[0];
    assert.deepEqual(
      sddc?.clusters.map((c) => c.id),
      ['c1'],
    );
    assert.deepEqual(list.problems, [
      'SDDC "s1": cluster entry 0 has no cluster_id; skipped (its hosts still count)',
      'SDDC "s1": cluster entry 1 has no cluster_id; skipped (its hosts still count)',
      'SDDC "s1": cluster entry 2 has no cluster_id; skipped (its hosts still count)',
      'SDDC "s1": cluster entry 3 is null, not an object; skipped',
      'SDDC "s1": cluster entry 4 is array, not an object; skipped',
      'SDDC "s1": 1 host(s) without esx_id get no per-host series',
    ]);
    assert.deepEqual(states(sddc as Sddc), { READY: 1 });
  });

  it('keeps a repeated cluster id once (the first) and reports it', () => {
    const list = parseSddcList([
      withRc({
        clusters: [
          { cluster_id: 'c1', cluster_name: 'first', esx_host_list: [host('READY')] },
          { cluster_id: 'c1', cluster_name: 'second', esx_host_list: [host('READY'), host('READY')] },
        ],
      }),
    ]);
    assert.deepEqual(list.sddcs[0]?.clusters, [
      { id: 'c1', name: 'first', state: 'UNKNOWN', instanceType: '', hosts: 1, capacity: undefined, witnessState: undefined },
    ]);
    assert.deepEqual(list.problems, [
      'SDDC "s1": cluster id "c1" appears more than once; kept the first entry',
      'SDDC "s1": 1 host(s) without esx_id get no per-host series',
    ]);
  });

  it('gives no clusters when clusters is absent, null, empty or of the wrong shape', () => {
    for (const clusters of [undefined, null, [], {}, { clusters: [{ cluster_id: 'c' }] }, 'c1']) {
      assert.deepEqual(one(withRc({ clusters })).clusters, [], JSON.stringify(clusters));
    }
  });
});

describe('parseSddcList: scale', () => {
  it('parses 2,000 SDDCs × 16 hosts quickly', () => {
    const payload = Array.from({ length: 2000 }, (_, i) => ({
      id: `sddc-${String(i).padStart(4, '0')}`,
      name: `sddc ${i}`,
      sddc_state: 'READY',
      created: '2022-04-28T10:41:58.000521Z',
      resource_config: {
        region: 'US_WEST_2',
        clusters: [0, 1].map((c) => ({
          cluster_id: `c-${i}-${c}`,
          cluster_state: 'READY',
          esx_host_info: { instance_type: 'i4i.metal' },
          esx_host_list: Array.from({ length: 8 }, (_, h) => host('READY', { esx_id: `e-${i}-${c}-${h}`, name: `esx-${h}`, instance_type: 'i4i.metal' })),
        })),
      },
    }));
    let list: SddcList | undefined;
    const started = performance.now();
    for (let run = 0; run < 5; run++) list = parseSddcList(payload);
    const perRun = (performance.now() - started) / 5;
    assert.equal(list?.sddcs.length, 2000);
    assert.deepEqual(list?.problems, []);
    assert.equal(list?.sddcs[1999]?.hostStates?.get('READY'), 16);
    assert.equal(list?.sddcs[1999]?.hosts.length, 16);
    // Generous bound so slow CI machines pass; a typical run takes a few milliseconds.
    assert.ok(perRun < 250, `one run took ${perRun.toFixed(1)} ms`);
  });
});

describe('parseSddcList: operator fields (access, account link, capacity, witness, hosts)', () => {
  it('reads sddc_access_state and account_link_state as sent; missing or null is empty', () => {
    assert.deepEqual(
      [one({ id: 'a', sddc_access_state: 'ENABLED', account_link_state: 'LINKED' }), one({ id: 'b', account_link_state: null }), one({ id: 'c', sddc_access_state: 'SOMETHING_NEW' })].map(
        (s) => [s.accessState, s.accountLinkState],
      ),
      [
        ['ENABLED', 'LINKED'],
        ['', ''],
        ['SOMETHING_NEW', ''],
      ],
    );
  });

  it('converts cluster_capacity to cores, hertz and bytes; missing or wrong fields give undefined', () => {
    const sddc = one(
      withRc({
        clusters: [
          {
            cluster_id: 'c1',
            cluster_capacity: { number_of_sockets: 12, total_number_of_cores: 384, cpu_capacity_ghz: 998.4, memory_capacity_gib: 6144, number_of_ssds: 48, storage_capacity_gib: 122880 },
          },
          { cluster_id: 'c2', cluster_capacity: { total_number_of_cores: '36', cpu_capacity_ghz: null, memory_capacity_gib: 512 } },
          { cluster_id: 'c3', cluster_capacity: null },
          { cluster_id: 'c4' },
        ],
      }),
    );
    assert.deepEqual(
      sddc.clusters.map((c) => c.capacity),
      [
        { cpuCores: 384, cpuHertz: 998_400_000_000, memoryBytes: 6144 * 2 ** 30, storageBytes: 122880 * 2 ** 30 },
        { cpuCores: undefined, cpuHertz: undefined, memoryBytes: 512 * 2 ** 30, storageBytes: undefined },
        undefined,
        undefined,
      ],
    );
  });

  it('reads the witness state of stretched clusters only (enum_state, not esx_state)', () => {
    const sddc = one(
      withRc({
        clusters: [
          { cluster_id: 'c1', availability_type: 'MULTI_AZ', vsan_witness: { enum_state: 'READY', esx_state: 'FAILED', provider: 'AWS' } },
          { cluster_id: 'c2', availability_type: 'MULTI_AZ', vsan_witness: { esx_state: 'READY' } },
          { cluster_id: 'c3', availability_type: 'MULTI_AZ', vsan_witness: null },
          { cluster_id: 'c4', availability_type: 'SINGLE_AZ', vsan_witness: { enum_state: 'DEPLOYING' } },
          { cluster_id: 'c5', availability_type: 'SINGLE_AZ', vsan_witness: null },
          { cluster_id: 'c6' },
        ],
      }),
    );
    assert.deepEqual(
      sddc.clusters.map((c) => c.witnessState),
      ['READY', '', '', 'DEPLOYING', undefined, undefined],
    );
  });

  it('keeps each host with its cluster, name, state, type (else the cluster\'s) and zone, in payload order', () => {
    const list = parseSddcList([
      withRc({
        clusters: [
          {
            cluster_id: 'c2',
            esx_host_info: { instance_type: 'i4i.metal' },
            esx_host_list: [
              host('READY', { esx_id: 'h3', name: 'esx-3', instance_type: 'i3en.metal', availability_zone: 'us-west-2a', hostname: '10.0.0.3' }),
              host(undefined, { esx_id: 'h4', name: 'esx-4', availability_zone: null }),
            ],
          },
          {
            cluster_id: 'c1',
            esx_host_list: [host('FAILED', { esx_id: 'h1', name: 'esx-1', instance_type: 'i4i.metal', availability_zone: 'us-west-2b' })],
          },
          { cluster_name: 'no id', esx_host_list: [host('READY', { esx_id: 'h9', name: 'esx-9' })] },
        ],
        esx_hosts: [host('READY', { esx_id: 'ignored' })],
      }),
    ]);
    assert.deepEqual(list.sddcs[0]?.hosts, [
      { id: 'h3', clusterId: 'c2', name: 'esx-3', state: 'READY', instanceType: 'i3en.metal', availabilityZone: 'us-west-2a' },
      { id: 'h4', clusterId: 'c2', name: 'esx-4', state: 'UNKNOWN', instanceType: 'i4i.metal', availabilityZone: '' },
      { id: 'h1', clusterId: 'c1', name: 'esx-1', state: 'FAILED', instanceType: 'i4i.metal', availabilityZone: 'us-west-2b' },
      { id: 'h9', clusterId: '', name: 'esx-9', state: 'READY', instanceType: '', availabilityZone: '' },
    ]);
  });

  it('reads the deprecated esx_hosts only without clusters (cluster id empty)', () => {
    const sddc = one(withRc({ esx_hosts: [host('READY', { esx_id: 'h1', name: 'esx-1' })] }));
    assert.deepEqual(sddc.hosts.map((h) => [h.id, h.clusterId]), [['h1', '']]);
  });

  it('gives hosts without esx_id no entry and keeps a repeated esx_id once, reporting both once per SDDC', () => {
    const list = parseSddcList([
      withRc({
        clusters: [
          { cluster_id: 'c1', esx_host_list: [host('READY', { esx_id: 'h1' }), host('READY'), host('READY', { esx_id: '' }), host('READY', { esx_id: 'h1' })] },
          { cluster_id: 'c2', esx_host_list: [host('FAILED', { esx_id: 'h1' })] },
        ],
      }),
    ]);
    assert.deepEqual(list.sddcs[0]?.hosts.map((h) => [h.id, h.clusterId, h.state]), [['h1', 'c1', 'READY']]);
    assert.deepEqual(states(list.sddcs[0] as Sddc), { READY: 4, FAILED: 1 }, 'every host still counts');
    assert.deepEqual(list.problems, [
      'SDDC "s1": 2 host(s) without esx_id get no per-host series',
      'SDDC "s1": host id "h1" appears more than once; kept the first entry',
    ]);
  });

  it('keeps no password or client secret anywhere in the typed result', () => {
    const canary = 'Qz-canary-7f3a9d';
    const sddc = one({
      id: 's1',
      sddc_access_state: 'ENABLED',
      resource_config: {
        cloud_password: canary,
        nsx_cloud_admin_password: canary,
        nsx_cloud_audit_password: canary,
        nsx_user_client: { id: 'u', secret: canary },
        vc_oauth_client: { id: 'v', secret: canary },
        agents: [{ sddc_csp_oauth_client: { csp_oauth_client: { client_secret: canary } }, key_pair: { key_material: canary } }],
        clusters: [{ cluster_id: 'c1', vsan_witness: { enum_state: 'READY', esx_credential: canary }, esx_host_list: [host('READY', { esx_id: 'h1', esx_credential: canary, custom_properties: { p: canary } })] }],
      },
    });
    assert.doesNotMatch(JSON.stringify(sddc), new RegExp(canary));
  });
});
