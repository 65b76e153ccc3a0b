/**
 * Entries of an SDDC list that are not quite SDDCs (no `sddc_state`, an empty or wrongly
 * typed one, objects of another kind such as an org or a task) never give `state=""` series:
 * an entity that exists but whose state is missing or empty reports `state="UNKNOWN"`, for
 * SDDCs, clusters and hosts alike; an unknown value passes through. Through a real scrape of
 * the exporter against the simulator serving those entries.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { COLLECTORS } from '../../src/collect/collectors/index.js';
import { parseCommandLine } from '../../src/config/parse-config.js';
import { ManualClock } from '../../src/lib/clock.js';
import { startExporter, type Exporter } from '../../src/run.js';
import { Estate, type JsonObject } from '../../sim/src/estate.js';
import { startSimulator, type Simulator } from '../../sim/src/server.js';
import { parseExposition } from '../helpers/exposition.js';
import { captureLogger } from '../helpers/log-sink.js';

const ORG = '0f0f0f0f-0000-4000-8000-00000000abcd';

const ENTRIES: JsonObject[] = [
  // An org object where an SDDC belongs.
  { id: 'org-like', name: 'acme', display_name: 'Acme', created: '2021-04-05T18:29:35.000Z', project_state: 'CREATED' },
  // A task object.
  { id: 'task-like', status: 'FINISHED', task_type: 'SDDC-PROVISION', resource_type: 'sddc' },
  { id: 'empty-state', name: 'e', sddc_state: '' },
  { id: 'blank-state', name: 'b', sddc_state: '  ' },
  { id: 'number-state', name: 'n', sddc_state: 7 },
  {
    id: 'no-cluster-state',
    name: 'c',
    sddc_state: 'READY',
    resource_config: {
      clusters: [
        { cluster_id: 'c1', cluster_name: 'one', esx_host_list: [{ esx_id: 'h1' }, { esx_id: 'h2', esx_state: '' }, { esx_id: 'h3', esx_state: 'READY' }] },
        { cluster_id: 'c2', cluster_name: 'two', cluster_state: 'BRAND_NEW', esx_host_list: [{ esx_id: 'h4', esx_state: 'SOMETHING_NEW' }] },
      ],
    },
  },
];

describe('SDDC list entries without a usable state', () => {
  const clock = new ManualClock();
  const log = captureLogger('warn');
  let sim: Simulator;
  let exporter: Exporter;
  let text: string;

  before(async () => {
    const estate = new Estate({ orgs: [{ id: ORG, name: 'odd', display_name: 'Odd' }], sddcs: { [ORG]: ENTRIES }, clock });
    sim = await startSimulator({ clock, estate });
    const parsed = await parseCommandLine(
      ['--web.listen-address=127.0.0.1:0', `--csp.url=${sim.url}`, `--vmc.url=${sim.url}`, `--vmc.org=${ORG}`],
      { VMC_CLIENT_ID: sim.credentials.clientId, VMC_CLIENT_SECRET: sim.credentials.clientSecret },
      { version: 'test', collectors: COLLECTORS },
    );
    if (parsed.action !== 'run') throw new Error('unexpected');
    exporter = await startExporter(parsed.config, { logger: log.logger, secrets: log.secrets, version: 'test', clock, processMetrics: false });
    const res = await fetch(`${exporter.url}/metrics`);
    assert.equal(res.status, 200);
    text = await res.text();
  });
  after(async () => {
    await exporter?.close();
    await sim?.close();
  });

  test('no series has state=""', () => {
    assert.equal(parseExposition(text).value('vmc_up', { org_id: ORG }), 1);
    assert.doesNotMatch(text, /state=""/);
  });

  test('SDDCs without a usable sddc_state are UNKNOWN in their state set and in the count', () => {
    const s = parseExposition(text).series;
    for (const id of ['org-like', 'task-like', 'empty-state', 'blank-state', 'number-state']) {
      assert.equal(s.get(`vmc_sddc_state{org_id="${ORG}",sddc_id="${id}",state="UNKNOWN"}`), 1, id);
      assert.equal(s.get(`vmc_sddc_state{org_id="${ORG}",sddc_id="${id}",state="READY"}`), 0, id);
    }
    assert.equal(s.get(`vmc_sddcs{org_id="${ORG}",state="UNKNOWN"}`), 5);
    assert.equal(s.get(`vmc_sddcs{org_id="${ORG}",state="READY"}`), 1);
  });

  test('a cluster without cluster_state is UNKNOWN, an unknown one passes through', () => {
    const states = parseExposition(text).all('vmc_cluster_state');
    const current = (cluster: string) => states.filter((s) => s.labels['cluster_id'] === cluster && s.value === 1).map((s) => s.labels['state']);
    assert.deepEqual(current('c1'), ['UNKNOWN'], JSON.stringify(states));
    assert.deepEqual(current('c2'), ['BRAND_NEW'], JSON.stringify(states));
  });

  test('hosts without esx_state count as UNKNOWN, an unknown one passes through', () => {
    const s = parseExposition(text).series;
    const hosts = (state: string) => s.get(`vmc_sddc_hosts{org_id="${ORG}",sddc_id="no-cluster-state",state="${state}"}`);
    assert.equal(hosts('UNKNOWN'), 2);
    assert.equal(hosts('READY'), 1);
    assert.equal(hosts('SOMETHING_NEW'), 1);
  });
});
