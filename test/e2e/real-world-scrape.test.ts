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
import { parseSamples } from '../helpers/exporter-harness.js';
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
    const s = parseSamples(text);
    const at = (series: string) => s.get(series.replace(/ORG/g, ORG));
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
    assert.equal([...s.keys()].filter((k) => k.startsWith(`vmc_sddc_info{org_id="${ORG}",sddc_id="${dup}"`)).length, 1);
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
