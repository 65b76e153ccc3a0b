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
        hostStates: undefined,
        clusters: [],
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
        hostStates: undefined,
        clusters: [],
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
      { id: 'c1', name: 'Cluster-1', state: 'READY', instanceType: 'i4i.metal', hosts: 3 },
      { id: 'c2', name: 'Cluster-2', state: 'ADDING_HOSTS', instanceType: 'm7i.metal-24xl', hosts: 1 },
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
      { id: 'c1', name: 'first', state: 'UNKNOWN', instanceType: '', hosts: 1 },
    ]);
    assert.deepEqual(list.problems, ['SDDC "s1": cluster id "c1" appears more than once; kept the first entry']);
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
          esx_host_list: Array.from({ length: 8 }, () => host('READY', { instance_type: 'i4i.metal' })),
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
    // Generous bound so slow CI machines pass; a typical run takes a few milliseconds.
    assert.ok(perRun < 250, `one run took ${perRun.toFixed(1)} ms`);
  });
});
