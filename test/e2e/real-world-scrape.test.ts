import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { COLLECTORS } from '../../src/collect/collectors/index.js';
import { parseCommandLine } from '../../src/config/parse-config.js';
import { ManualClock } from '../../src/lib/clock.js';
import { startExporter, type Exporter } from '../../src/run.js';
import { Estate, type JsonObject } from '../../sim/src/estate.js';
import { startSimulator, type Simulator } from '../../sim/src/server.js';
import { captureLogger } from '../helpers/log-sink.js';
import { parseExposition } from '../helpers/exposition.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';
import { requireTools } from '../ops/lib/tools.js';

const DIR = new URL('../fixtures/real-world/', import.meta.url);
const ORG = '0f0f0f0f-0000-4000-8000-000000000001';

/** Every real-world payload, as SDDC list entries: lists spread, single objects as one entry. */
function fixtureEntries(): JsonObject[] {
  const entries: JsonObject[] = [];
  for (const name of readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()) {
    const json = JSON.parse(readFileSync(new URL(name, DIR), 'utf8')) as unknown;
    for (const item of Array.isArray(json) ? json : [json]) entries.push(item as JsonObject);
  }
  return entries;
}

/**
 * The real-world payloads (odd shapes included) served by the simulator as one org's SDDC
 * list: the scrape must work and give the states and host counts the fixtures README lists.
 */
describe('real-world payloads through a real scrape', () => {
  const clock = new ManualClock();
  const log = captureLogger('info');
  let sim: Simulator;
  let exporter: Exporter;
  let text: string;

  before(async () => {
    const estate = new Estate({ orgs: [{ id: ORG, name: 'fixtures', display_name: 'Fixtures' }], sddcs: { [ORG]: fixtureEntries() }, clock });
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

  test('the org is up and the README facts hold', () => {
    const e = parseExposition(text);
    const at = (series: string) => e.series.get(series.replace(/ORG/g, ORG));
    assert.equal(at('vmc_up{org_id="ORG"}'), 1);
    // salt-states-sddc-1node-zerocloud-active.json: ACTIVE (unknown state passes through), 1 host, Cluster-1 → 1
    const oneNode = 'c2f3f894-a1f6-46de-a983-f5d3466f7346';
    assert.equal(at(`vmc_sddc_state{org_id="ORG",sddc_id="${oneNode}",state="ACTIVE"}`), 1);
    assert.equal(at(`vmc_sddc_state{org_id="ORG",sddc_id="${oneNode}",state="READY"}`), 0);
    assert.equal(at(`vmc_sddc_hosts{org_id="ORG",sddc_id="${oneNode}",state="READY"}`), 1);
    assert.equal(at(`vmc_sddc_expiration_timestamp_seconds{org_id="ORG",sddc_id="${oneNode}"}`), Date.parse('2022-06-27T10:41:58.000521Z') / 1000);
    assert.equal(at('vmc_sddcs{org_id="ORG",state="ACTIVE"}'), 1);
    // testSDDC1/testSDDC2: resource_config {} → READY, no host series
    for (const id of ['testSDDC1', 'testSDDC2']) {
      assert.equal(at(`vmc_sddc_state{org_id="ORG",sddc_id="${id}",state="READY"}`), 1);
      assert.equal(at(`vmc_sddc_hosts{org_id="ORG",sddc_id="${id}",state="READY"}`), undefined, 'unknown is not zero');
    }
    // f46eda60…: the same id in several payloads is reported once
    const dup = 'f46eda60-c67c-4613-a7fe-526b87948cb7';
    assert.equal(e.all('vmc_sddc_info', { org_id: ORG, sddc_id: dup }).length, 1);
  });

  test('the SDDC payload signals: access and link states, cluster info and capacity, hosts, org name', () => {
    const e = parseExposition(text);
    const at = (series: string) => e.series.get(series.replace(/ORG/g, ORG));
    const oneNode = 'c2f3f894-a1f6-46de-a983-f5d3466f7346';
    const cluster = '798e91a8-0361-4f28-8ecf-4e9ddeb06d9e';
    const c = `org_id="ORG",sddc_id="${oneNode}",cluster_id="${cluster}"`;
    assert.equal(at(`vmc_sddc_access_state{org_id="ORG",sddc_id="${oneNode}",state="ENABLED"}`), 1);
    // account_link_state is absent in every fixture: UNKNOWN, and 0 for each known state
    assert.equal(at(`vmc_sddc_account_link_state{org_id="ORG",sddc_id="${oneNode}",state="UNKNOWN"}`), 1);
    assert.equal(at(`vmc_sddc_account_link_state{org_id="ORG",sddc_id="${oneNode}",state="LINKED"}`), 0);
    assert.equal(at(`vmc_cluster_info{${c},cluster_name="Cluster-1",instance_type="i3.metal"}`), 1);
    assert.equal(at(`vmc_cluster_capacity_cpu_cores{${c}}`), 36);
    assert.equal(at(`vmc_cluster_capacity_cpu_hertz{${c}}`), 82.8e9);
    assert.equal(at(`vmc_cluster_capacity_memory_bytes{${c}}`), 512 * 2 ** 30);
    assert.equal(at(`vmc_cluster_capacity_storage_bytes{${c}}`), 10617 * 2 ** 30);
    const host = `${c},host_id="42b44ff9-cadb-4fa1-bff4-7b01a302400b"`;
    assert.equal(at(`vmc_host_info{${host},host_name="Not Really ESX977321ac-ab39-445e-86d9-61072446e0a3",instance_type="i3.metal",availability_zone="us-west-2a"}`), 1);
    assert.equal(at(`vmc_host_state{${host},state="READY"}`), 1);
    assert.equal(e.samples.filter((s) => s.name.startsWith('vmc_cluster_witness_state')).length, 0, 'no stretched cluster in the fixtures');
    // testSDDC1/testSDDC2 have resource_config {}: no clusters, no hosts, no capacity
    assert.equal(e.samples.filter((s) => s.labels['sddc_id'] === 'testSDDC1' && /^vmc_(host|cluster)_/.test(s.name)).length, 0);
    assert.equal(at('vmc_org_info{org_id="ORG",org_name="Fixtures"}'), 1);
  });

  test('skipped and merged entries are logged, not fatal', () => {
    const warn = log.lines.find((l) => l.msg === 'collected data had entries that were skipped or merged');
    assert.ok(warn, 'a warning lists the problems');
    assert.ok((warn['count'] as number) > 0);
  });

  test('no password from the payloads appears in the output or the logs', () => {
    for (const secret of sim.secrets()) {
      assert.ok(!text.includes(secret), 'secret in /metrics');
      assert.ok(!log.raw().includes(secret), 'secret in logs');
    }
  });

  test('promtool check metrics is clean', (t) => {
    const tools = requireTools(t, 'promtool');
    if (!tools) return;
    const r = promtoolCheckMetrics(tools['promtool']!, text);
    assert.equal(r.status, 0, r.output);
    assert.equal(r.output.trim(), '', r.output);
  });
});
