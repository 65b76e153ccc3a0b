/**
 * Sharding against the real thing: two Prometheus servers loading prometheus/sharded.yml as
 * shard 0 and shard 1 of 2, each probing its own exporter process, one simulator behind
 * both, one Alertmanager receiving from both.
 *
 * Only what has to differ in a test is changed in temporary copies: the lines sharded.yml
 * marks SHARD (shard number, replica address), the other addresses, the org list (the
 * simulator's orgs), 1 s intervals and `for:` shortened to 1 s. The relabelling, the alert
 * relabelling and the rules are the shipped ones.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { parseExposition } from '../helpers/exposition.js';
import { childEnv, firstStdoutLine, freePort, http, startProcess, stopProcess, waitFor, type Child } from '../helpers/processes.js';
import type { RulesFile } from './lib/rules.js';
import { findOnPath, missingPrerequisites, readRepoYaml, repoPath, skipOutsideCi } from './lib/tools.js';
import { shardConfig, type ShardableConfig } from './lib/shards.js';

const EXPORTER = repoPath('dist/main.js');
const SIMULATOR = repoPath('sim/dist/cli.js');
const SHARDS = 2;

interface SimInfo {
  url: string;
  clientId: string;
  clientSecret: string;
  orgs: string[];
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

const missing = missingPrerequisites(['prometheus', 'prometheus-alertmanager'], [EXPORTER, SIMULATOR]);
const skip = skipOutsideCi(missing);

describe('two Prometheus shards, each with its own exporter, against one simulator', { skip, timeout: 120_000 }, () => {
  const procs: Child[] = [];
  let dir = '';
  let sim: SimInfo;
  const exporters: string[] = [];
  const proms: string[] = [];
  let amUrl = '';
  /** The orgs each shard shows, once every org is up somewhere. */
  let owned: string[][] = [];

  const logs = () => procs.map((p) => `--- ${p.name}\n${p.output()}`).join('\n');

  async function query(prom: string, expr: string): Promise<Sample[]> {
    const res = await fetch(`${prom}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: expr }), signal: AbortSignal.timeout(5_000) });
    const body = (await res.json()) as { status: string; error?: string; data?: { result: Sample[] } };
    if (body.status !== 'success') throw new Error(`query failed: ${body.error}: ${expr}`);
    return body.data!.result;
  }

  async function alerts(prom: string): Promise<Array<{ labels: Record<string, string>; state: string }>> {
    return (JSON.parse((await http(`${prom}/api/v1/alerts`)).text) as { data: { alerts: Array<{ labels: Record<string, string>; state: string }> } }).data.alerts;
  }

  before(async () => {
    assert.equal(missing, undefined, `${missing} (required when CI=true)`);
    dir = mkdtempSync(join(tmpdir(), 'vmc-shards-'));

    const simProc = startProcess(
      'simulator',
      process.execPath,
      [SIMULATOR, '--listen', '127.0.0.1:0', '--estate', 'generated', '--orgs', '8', '--sddcs', '2', '--hosts', '2', '--clusters', '1', '--seed', '3'],
      childEnv(),
    );
    procs.push(simProc);
    sim = JSON.parse(await firstStdoutLine(simProc, 15_000)) as SimInfo;

    // One exporter per shard: no discovery, no --vmc.org; every org comes through /probe.
    for (let i = 0; i < SHARDS; i++) {
      const port = await freePort();
      exporters.push(`127.0.0.1:${port}`);
      procs.push(
        startProcess(
          `exporter-${i}`,
          process.execPath,
          [EXPORTER, `--web.listen-address=127.0.0.1:${port}`, `--csp.url=${sim.url}`, `--vmc.url=${sim.url}`, '--no-vmc.discover', '--cache.ttl=1s', '--log.level=warn'],
          childEnv({ VMC_CLIENT_ID: sim.clientId, VMC_CLIENT_SECRET: sim.clientSecret }),
        ),
      );
    }

    const amPort = await freePort();
    amUrl = `http://127.0.0.1:${amPort}`;
    writeFileSync(join(dir, 'alertmanager.yml'), stringify({ route: { receiver: 'null', group_wait: '1s' }, receivers: [{ name: 'null' }] }));
    mkdirSync(join(dir, 'am-data'));
    procs.push(
      startProcess(
        'alertmanager',
        findOnPath('prometheus-alertmanager')!,
        [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'am-data')}`, `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address=', '--log.level=warn'],
        childEnv(),
      ),
    );

    // The org list every shard reads, and the shipped rules with `for:` shortened.
    writeFileSync(join(dir, 'vmc-orgs.yml'), stringify([{ targets: sim.orgs }]));
    const shipped = readRepoYaml<ShardableConfig>('prometheus/sharded.yml');
    const ruleFiles = shipped.rule_files.map((file, i) => {
      const rules = readRepoYaml<RulesFile>('prometheus', file);
      for (const g of rules.groups) for (const r of g.rules) if (r.alert && r.for) (r as { for?: string }).for = '1s';
      const copy = join(dir, `rules-${i}.yml`);
      writeFileSync(copy, stringify(rules));
      return copy;
    });

    for (let i = 0; i < SHARDS; i++) {
      const cfg = shardConfig(shipped, { shard: i, shards: SHARDS, exporter: exporters[i]! });
      cfg.global = { ...cfg.global, scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' };
      cfg.rule_files = ruleFiles;
      cfg.alerting.alertmanagers = [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }];
      for (const job of cfg.scrape_configs) {
        delete job.scrape_interval;
        delete job.scrape_timeout;
        for (const sd of job.file_sd_configs ?? []) sd.files = [join(dir, 'vmc-orgs.yml')];
      }
      const file = join(dir, `prometheus-${i}.yml`);
      writeFileSync(file, stringify(cfg));
      mkdirSync(join(dir, `tsdb-${i}`));
      const port = await freePort();
      proms.push(`http://127.0.0.1:${port}`);
      procs.push(
        startProcess(
          `prometheus-${i}`,
          findOnPath('prometheus')!,
          [`--config.file=${file}`, `--storage.tsdb.path=${join(dir, `tsdb-${i}`)}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
          childEnv(),
        ),
      );
    }
    await waitFor(
      'the exporters, Prometheus servers and Alertmanager to be ready',
      async () => {
        const urls = [...exporters.map((e) => `http://${e}`), ...proms, amUrl];
        const statuses = await Promise.all(urls.map(async (u) => (await http(`${u}/-/ready`)).status));
        return statuses.every((s) => s === 200) ? true : undefined;
      },
      { timeoutMs: 30_000, context: logs },
    );
    owned = await waitFor(
      'every org up on some shard, and each shard scraping its replica',
      async () => {
        const perShard = await Promise.all(proms.map(async (p) => (await query(p, 'vmc_up == 1')).map((s) => s.metric['org_id']!).sort()));
        // The self-scrape job runs on its own schedule: wait for its first sample too.
        const selfScraped = await Promise.all(proms.map(async (p) => (await query(p, 'up{job="vmc"}')).length > 0));
        return perShard.flat().length >= sim.orgs.length && selfScraped.every(Boolean) ? perShard : undefined;
      },
      { timeoutMs: 30_000, context: logs },
    );
  });

  after(async () => {
    await Promise.all(procs.map((p) => stopProcess(p)));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('every org appears exactly once across the two shards, and each shard has a share', async () => {
    assert.deepEqual(owned.flat().sort(), [...sim.orgs].sort(), 'each org on exactly one shard');
    for (const [i, orgs] of owned.entries()) assert.ok(orgs.length > 0, `shard ${i} owns no org: ${JSON.stringify(owned)}`);
    for (const [i, prom] of proms.entries()) {
      const infos = await query(prom, 'count by (org_id) (vmc_sddc_info)');
      assert.deepEqual(infos.map((s) => s.metric['org_id']).sort(), owned[i], `shard ${i}: SDDC series of its own orgs only`);
      const targets = await query(prom, 'up{job="vmc-probe"}');
      assert.deepEqual(targets.map((s) => s.metric['instance']).sort(), owned[i], `shard ${i}: one probe target per org, instance = org id`);
      const self = await query(prom, 'up{job="vmc"}');
      assert.deepEqual(self.map((s) => s.metric['instance']), [exporters[i]], `shard ${i} scrapes its own replica's /metrics`);
    }
  });

  test("each org's SDDC list is fetched only by the replica that owns it", async () => {
    const stats = JSON.parse((await http(`${sim.url}/_sim/stats`)).text) as {
      tokenRequests: Record<string, number>;
      orgListRequests: number;
      sddcListRequests: Record<string, number>;
    };
    // Every org's calls need a token for that org (orgId=<org>): one token request per org
    // overall means one replica asked for it.
    assert.deepEqual(Object.keys(stats.tokenRequests).sort(), [...sim.orgs].sort(), 'tokens for the orgs only, none without orgId');
    for (const org of sim.orgs) {
      assert.equal(stats.tokenRequests[org], 1, `one token request for ${org}`);
      assert.ok((stats.sddcListRequests[org] ?? 0) >= 1, `${org}'s SDDC list was fetched`);
    }
    assert.equal(stats.orgListRequests, 0, 'no discovery');
    // And that replica is the shard's own: its token series name exactly the shard's orgs.
    for (const [i, exporter] of exporters.entries()) {
      const metrics = parseExposition((await http(`http://${exporter}/metrics`)).text);
      const tokenOrgs = [...new Set(metrics.all('vmc_token_refreshes_total', { result: 'success' }).map((s) => s.labels['org_id']!))].sort();
      assert.deepEqual(tokenOrgs, owned[i], `replica ${i} holds tokens for shard ${i}'s orgs only`);
      assert.deepEqual(metrics.all('vmc_up'), [], `replica ${i}'s /metrics carries no org (--no-vmc.discover)`);
    }
  });

  test('the alert rules fire for an org on either shard; Alertmanager gets them without the replica label', async () => {
    const failed: Array<{ shard: number; org: string; sddc: string }> = [];
    for (const [shard, orgs] of owned.entries()) {
      const org = orgs[0]!;
      const info = await query(proms[shard]!, `vmc_sddc_info{org_id="${org}"}`);
      const sddc = info[0]!.metric['sddc_id']!;
      const put = await http(`${sim.url}/_sim/orgs/${org}/sddcs/${sddc}/state`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ state: 'FAILED' }) });
      assert.equal(put.status, 200, put.text);
      failed.push({ shard, org, sddc });
    }
    for (const { shard, org, sddc } of failed) {
      await waitFor(
        `VMCSDDCFailed for ${sddc} on shard ${shard}`,
        async () => ((await alerts(proms[shard]!)).some((a) => a.labels['alertname'] === 'VMCSDDCFailed' && a.labels['sddc_id'] === sddc && a.state === 'firing') ? true : undefined),
        { timeoutMs: 30_000, context: logs },
      );
      const other = proms[1 - shard]!;
      assert.ok(!(await alerts(other)).some((a) => a.labels['org_id'] === org), `shard ${1 - shard} knows nothing of ${org}`);
    }
    const received = await waitFor(
      'both alerts at Alertmanager',
      async () => {
        const list = JSON.parse((await http(`${amUrl}/api/v2/alerts`)).text) as Array<{ labels: Record<string, string> }>;
        const mine = list.filter((a) => a.labels['alertname'] === 'VMCSDDCFailed');
        return failed.every((f) => mine.some((a) => a.labels['sddc_id'] === f.sddc)) ? mine : undefined;
      },
      { timeoutMs: 30_000, context: logs },
    );
    for (const { shard, sddc } of failed) {
      const alert = received.find((a) => a.labels['sddc_id'] === sddc)!;
      assert.equal(alert.labels['shard'], String(shard));
      assert.equal(alert.labels['replica'], undefined, 'replica is dropped, so an HA pair deduplicates');
      assert.equal(alert.labels['job'], 'vmc-probe');
    }
  });
});
