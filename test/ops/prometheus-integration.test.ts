/**
 * The operator kit against the real thing: the built simulator and exporter, a real
 * Prometheus loading this repository's prometheus.yml and alert rules, and a real
 * Alertmanager loading alertmanager.yml, whose webhooks point at a receiver run here.
 *
 * Only what has to differ in a test is changed in temporary copies: addresses (free loopback
 * ports), 1 s scrape/evaluation intervals, `for:` shortened to 1 s, Alertmanager group waits
 * of 1 s. Routing, inhibition, expressions, labels and annotations are the shipped ones.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import {
  ALL,
  allTargets,
  grafanaRegex,
  loadDashboard,
  queryResultText,
  substitute,
  variablePromql,
  variableQuery,
} from './lib/dashboard.js';
import {
  childEnv,
  firstStdoutLine,
  freePort,
  http,
  startProcess,
  stopProcess,
  waitFor,
  type Child as Proc,
} from '../helpers/processes.js';
import { firstSteps, RUNBOOK } from '../../scripts/rules-files.js';
import { runbookUrl } from '../../src/lib/docs-links.js';
import { docExamples } from '../docs/markdown.js';
import { metricSelectors } from './lib/promql.js';
import { loadAlertRules, loadPrometheusConfig, ruleFilePaths, type RulesFile } from './lib/rules.js';
import { findOnPath, missingPrerequisites, readRepoFile, readRepoYaml, repoPath, skipOutsideCi } from './lib/tools.js';

const EXPORTER = repoPath('dist/main.js');
const SIMULATOR = repoPath('sim/dist/cli.js');
/** A state no VMC release uses (yet): the exporter must pass it through as a label value. */
const UNKNOWN_STATE = 'MAINTENANCE';

interface SimInfo {
  url: string;
  clientId: string;
  clientSecret: string;
  apiToken: string;
  orgs: string[];
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

interface Notification {
  receiver: string;
  status: string;
  alerts: Array<{ status: string; labels: Record<string, string>; annotations: Record<string, string> }>;
}

const missing = missingPrerequisites(['prometheus', 'prometheus-alertmanager'], [EXPORTER, SIMULATOR]);
const skip = skipOutsideCi(missing);

describe('Prometheus and Alertmanager with the exporter and the simulator', { skip, timeout: 120_000 }, () => {
  const procs: Proc[] = [];
  const notifications: Array<{ path: string; body: Notification }> = [];
  let hook: Server | undefined;
  let dir = '';
  let sim: SimInfo;
  let exporterUrl = '';
  let exporterTargets: string[] = [];
  let promUrl = '';
  let amUrl = '';

  const logs = () => procs.map((p) => `--- ${p.name}\n${p.output()}`).join('\n');

  /** Runs an instant query; throws on a query error (a parse error included). */
  async function query(expr: string): Promise<Sample[]> {
    const res = await fetch(`${promUrl}/api/v1/query`, {
      method: 'POST',
      body: new URLSearchParams({ query: expr }),
      signal: AbortSignal.timeout(5_000),
    });
    const body = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: Sample[] } };
    if (body.status !== 'success') throw new Error(`query failed (${res.status}): ${body.error}\n  ${expr}`);
    if (body.data?.resultType !== 'vector') throw new Error(`expected a vector, got ${body.data?.resultType}: ${expr}`);
    return body.data.result;
  }

  before(async () => {
    assert.equal(missing, undefined, `${missing} (required when CI=true)`);
    dir = mkdtempSync(join(tmpdir(), 'vmc-ops-'));

    // Webhook receiver standing in for the pager and ticket systems.
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        try {
          notifications.push({ path: req.url ?? '', body: JSON.parse(body) as Notification });
        } catch {
          // not JSON: ignore
        }
        res.end('ok');
      });
    });
    hook.listen(0, '127.0.0.1');
    await new Promise((resolve) => hook!.once('listening', resolve));
    const hookPort = (hook.address() as AddressInfo).port;

    // Simulator, with one token request set to fail (so the token-failure series exists) and
    // one READY SDDC in a state the exporter does not know.
    const simProc = startProcess('simulator', process.execPath, [SIMULATOR, '--listen', '127.0.0.1:0', '--estate', 'demo'], childEnv());
    procs.push(simProc);
    sim = JSON.parse(await firstStdoutLine(simProc, 15_000)) as SimInfo;
    const fault = await http(`${sim.url}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ endpoint: 'token', kind: 'malformed', times: 1 }),
    });
    assert.equal(fault.status, 201, fault.text);

    // Two exporters that share an org, as when an org is exported twice into one Prometheus:
    // an OAuth app naming every org, and an API token, which sees the home org. The queries
    // must neither fail on the doubled series nor count them twice.
    const exporterPort = await freePort();
    exporterUrl = `http://127.0.0.1:${exporterPort}`;
    procs.push(
      startProcess(
        'exporter',
        process.execPath,
        [
          EXPORTER,
          `--web.listen-address=127.0.0.1:${exporterPort}`,
          `--csp.url=${sim.url}`,
          `--vmc.url=${sim.url}`,
          `--vmc.org=${sim.orgs.join(',')}`,
          '--cache.ttl=1s',
          '--log.level=warn',
        ],
        childEnv({ VMC_CLIENT_ID: sim.clientId, VMC_CLIENT_SECRET: sim.clientSecret }),
      ),
    );
    // The second exporter: the simulator's API token, its home org discovered, so the
    // API-token series exist too.
    const tokenExporterPort = await freePort();
    procs.push(
      startProcess(
        'exporter-api-token',
        process.execPath,
        [EXPORTER, `--web.listen-address=127.0.0.1:${tokenExporterPort}`, `--csp.url=${sim.url}`, `--vmc.url=${sim.url}`, '--cache.ttl=1s', '--log.level=warn'],
        childEnv({ VMC_API_TOKEN: sim.apiToken }),
      ),
    );
    exporterTargets = [`127.0.0.1:${exporterPort}`, `127.0.0.1:${tokenExporterPort}`];
    for (const target of exporterTargets) {
      await waitFor(`the exporter on ${target} to be ready`, async () => ((await http(`http://${target}/-/ready`)).status === 200 ? true : undefined), {
        timeoutMs: 15_000,
        context: logs,
      });
    }

    // The first token request fails (the fault above): its org shows up a scrape later.
    let metrics = '';
    const readySddcs = () =>
      [...metrics.matchAll(/^vmc_sddc_state\{([^}]*)\} 1$/gm)]
        .filter((m) => m[1]!.includes('state="READY"'))
        .map((m) => ({ org: /org_id="([^"]*)"/.exec(m[1]!)![1]!, sddc: /sddc_id="([^"]*)"/.exec(m[1]!)![1]! }));
    await waitFor(
      'two READY SDDCs in the demo estate',
      async () => {
        metrics = (await http(`${exporterUrl}/metrics`)).text;
        return readySddcs().length >= 2 ? true : undefined;
      },
      { timeoutMs: 15_000, context: () => metrics },
    );
    const ready = readySddcs();
    const odd = ready[ready.length - 1]!;
    const put = await http(`${sim.url}/_sim/orgs/${odd.org}/sddcs/${odd.sddc}/state`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ state: UNKNOWN_STATE }),
    });
    assert.equal(put.status, 200, put.text);

    // Alertmanager: the shipped config, webhooks pointed here, waits shortened.
    const amPort = await freePort();
    amUrl = `http://127.0.0.1:${amPort}`;
    const am = readRepoYaml<{
      route: Record<string, unknown>;
      receivers: Array<{ name: string; webhook_configs?: Array<{ url: string }> }>;
    }>('alertmanager/alertmanager.yml');
    Object.assign(am.route, { group_wait: '1s', group_interval: '1s', repeat_interval: '1h' });
    for (const r of am.receivers) for (const w of r.webhook_configs ?? []) w.url = `http://127.0.0.1:${hookPort}/${r.name}`;
    writeFileSync(join(dir, 'alertmanager.yml'), stringify(am));
    mkdirSync(join(dir, 'am-data'));
    procs.push(
      startProcess(
        'alertmanager',
        findOnPath('prometheus-alertmanager')!,
        [
          `--config.file=${join(dir, 'alertmanager.yml')}`,
          `--storage.path=${join(dir, 'am-data')}`,
          `--web.listen-address=127.0.0.1:${amPort}`,
          '--cluster.listen-address=',
          '--log.level=warn',
        ],
        childEnv(),
      ),
    );

    // Prometheus: the shipped config and rules, addresses and intervals for a test.
    const cfg = loadPrometheusConfig();
    cfg.global = { ...cfg.global, scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' };
    for (const job of cfg.scrape_configs) {
      Object.assign(job, { scrape_interval: '1s', scrape_timeout: '1s' });
      if (job.job_name === 'vmc') job.static_configs = [{ targets: exporterTargets }];
    }
    cfg.alerting.alertmanagers = [{ static_configs: [{ targets: [`127.0.0.1:${amPort}`] }] }];
    cfg.rule_files = ruleFilePaths().map((file, i) => {
      const rules = readRepoYaml<RulesFile>(file);
      for (const g of rules.groups) for (const r of g.rules) if (r.alert && r.for) (r as { for?: string }).for = '1s';
      const copy = join(dir, `rules-${i}.yml`);
      writeFileSync(copy, stringify(rules));
      return copy;
    });
    writeFileSync(join(dir, 'prometheus.yml'), stringify(cfg));
    mkdirSync(join(dir, 'tsdb'));
    const promPort = await freePort();
    promUrl = `http://127.0.0.1:${promPort}`;
    procs.push(
      startProcess(
        'prometheus',
        findOnPath('prometheus')!,
        [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'tsdb')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
          '--log.level=warn',
        ],
        childEnv(),
      ),
    );
    await waitFor('Prometheus and Alertmanager to be ready', async () => {
      const [p, a] = await Promise.all([http(`${promUrl}/-/ready`), http(`${amUrl}/-/ready`)]);
      return p.status === 200 && a.status === 200 ? true : undefined;
    }, { timeoutMs: 30_000, context: logs });
  });

  after(async () => {
    await Promise.all(procs.map((p) => stopProcess(p)));
    if (hook) {
      const closed = new Promise<void>((resolve) => hook!.close(() => resolve()));
      hook.closeAllConnections();
      await closed;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('Prometheus scrapes both exporters (OAuth app and API token): up{job="vmc"} == 1', async () => {
    await waitFor('up{job="vmc"} == 1', async () => ((await query('up{job="vmc"} == 1')).length === 2 ? true : undefined), {
      timeoutMs: 20_000,
      context: logs,
    });
  });

  test('every dashboard query returns data', async () => {
    // Rate windows of 1m need two scrapes in them; poll every query until it has data.
    const targets = allTargets();
    assert.ok(targets.length >= 15, 'dashboard queries');
    const empty = new Map(targets.map((t) => [t.where, substitute(t.expr, ALL)]));
    await waitFor(
      'every dashboard query to return data',
      async () => {
        for (const [where, expr] of empty) if ((await query(expr)).length > 0) empty.delete(where);
        return empty.size === 0 ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, context: () => `still empty:\n${[...empty].map(([w, e]) => `  ${w}: ${e}`).join('\n')}` },
    );
  });

  test('both exporters export the home org', async () => {
    const home = sim.orgs[0]!;
    await waitFor(`vmc_up for ${home} from both exporters`, async () => ((await query(`vmc_up{org_id="${home}"} == 1`)).length === 2 ? true : undefined), {
      timeoutMs: 20_000,
      context: logs,
    });
  });

  test('the dashboard variables list the job, both exporters, every org once, and the SDDCs by name', async () => {
    const d = loadDashboard('grafana/dashboards/vmc-overview.json');
    const vars = new Map(d.templating.list.map((v) => [v.name, v]));
    const values = async (name: string): Promise<string[]> => {
      const q = variablePromql(variableQuery(vars.get(name)!));
      assert.equal(q.kind, 'label_values', name);
      if (q.kind !== 'label_values') return [];
      return [...new Set((await query(substitute(q.promql, ALL))).map((s) => s.metric[q.label]!))].sort();
    };
    assert.deepEqual(await values('job'), ['vmc']);
    assert.deepEqual(await values('instance'), [...exporterTargets].sort());
    const org = vars.get('org')!;
    const orgRows = await query(substitute(variablePromql(variableQuery(org)).promql, ALL));
    const orgRe = grafanaRegex(org.regex!);
    const orgs = orgRows.map((row) => orgRe.exec(queryResultText(row.metric, row.value))?.groups);
    assert.deepEqual(orgs.map((g) => g?.value).sort(), [...sim.orgs].sort());
    assert.deepEqual(orgs.map((g) => g?.text).sort(), ['ACME Development', 'ACME Lab', 'ACME Production'], 'orgs by name');

    const sddc = vars.get('sddc')!;
    const expr = substitute(variablePromql(variableQuery(sddc)).promql, ALL);
    const rows = await query(expr);
    assert.ok(rows.length >= 5, 'SDDC info rows');
    assert.equal(new Set(rows.map((r) => r.metric.sddc_id)).size, rows.length, 'each SDDC once, also those of the org both exporters export');
    const re = grafanaRegex(sddc.regex!);
    for (const row of rows) {
      const m = re.exec(queryResultText(row.metric, row.value));
      assert.ok(m?.groups, `the sddc variable regex matches ${JSON.stringify(row.metric)}`);
      assert.equal(m.groups.value, row.metric.sddc_id);
      assert.equal(m.groups.text, row.metric.sddc_name);
    }
  });

  /** Runs each query (a parse error throws) and returns its metric selectors that match no series, as `where: selector`. */
  async function unmatchedSelectors(queries: ReadonlyArray<{ where: string; expr: string }>): Promise<string[]> {
    const unmatched: string[] = [];
    for (const q of queries) {
      await query(q.expr);
      for (const selector of metricSelectors(q.expr)) {
        if ((await query(selector)).length === 0) unmatched.push(`${q.where}: ${selector}`);
      }
    }
    return unmatched;
  }

  test('every alert expression parses, and every metric selector in it matches series', async () => {
    await waitFor('the token failure series', async () => ((await query('vmc_token_refreshes_total{result="failure"}')).length > 0 ? true : undefined), {
      timeoutMs: 20_000,
      context: logs,
    });
    assert.deepEqual(await unmatchedSelectors(loadAlertRules().map((r) => ({ where: r.alert, expr: r.expr }))), [], 'selectors without series');
  });

  test('every PromQL example of the docs runs, and every metric selector in it matches series', async () => {
    const examples = docExamples();
    assert.ok(examples.length > 0);
    assert.deepEqual(await unmatchedSelectors(examples), [], 'selectors without series');
  });

  test('an SDDC set to an unknown state raises VMCSDDCNotReady', async () => {
    await waitFor(
      `VMCSDDCNotReady for state ${UNKNOWN_STATE}`,
      async () => {
        const res = await http(`${promUrl}/api/v1/alerts`);
        const alerts = (JSON.parse(res.text) as { data: { alerts: Array<{ labels: Record<string, string>; state: string }> } }).data.alerts;
        return alerts.some((a) => a.labels.alertname === 'VMCSDDCNotReady' && a.labels.state === UNKNOWN_STATE && a.state === 'firing')
          ? true
          : undefined;
      },
      { timeoutMs: 20_000, context: logs },
    );
  });

  test('the operational signals of the demo fire, and the warning-level ones reach the ticket webhook', async () => {
    const expected = ['VMCAPITokenExpiringSoon', 'VMCMaintenanceWindowSoon', 'VMCSubscriptionEndingSoon', 'VMCTaskFailed', 'VMCTaskRunningTooLong', 'VMCClusterAtEDRSMax'];
    const delivered = await waitFor(
      'ticket notifications of the operational alerts',
      async () => {
        const seen = new Set(notifications.filter((n) => n.body.receiver === 'vmc-ticket').flatMap((n) => n.body.alerts.filter((a) => a.status === 'firing').map((a) => a.labels.alertname)));
        return expected.every((a) => seen.has(a)) ? seen : undefined;
      },
      { timeoutMs: 30_000, context: () => `${notifications.length} notifications: ${JSON.stringify(notifications.map((n) => [n.body.receiver, n.body.alerts.map((a) => a.labels.alertname)]))}` },
    );
    assert.ok(delivered.size >= expected.length);
    const res = await http(`${promUrl}/api/v1/alerts`);
    const alerts = (JSON.parse(res.text) as { data: { alerts: Array<{ labels: Record<string, string>; state: string }> } }).data.alerts;
    const broken = alerts.find((a) => a.labels.alertname === 'VMCAWSConnectionBroken' && a.state === 'firing');
    assert.equal(broken?.labels.severity, 'critical');
    assert.equal(broken?.labels.sddc_name, 'prod-sddc-02-stretched', 'named through vmc_sddc_info');
    assert.equal(broken?.labels.org_name, 'ACME Production', 'named through vmc_org_info');
  });

  test('a READY SDDC flipped to FAILED fires VMCSDDCFailed, routed to the pager webhook with its labels', async () => {
    const metrics = (await http(`${exporterUrl}/metrics`)).text;
    const line = /^vmc_sddc_state\{([^}]*state="READY"[^}]*)\} 1$/m.exec(metrics);
    assert.ok(line, 'a READY SDDC in /metrics');
    const org = /org_id="([^"]*)"/.exec(line[1]!)![1]!;
    const sddc = /sddc_id="([^"]*)"/.exec(line[1]!)![1]!;
    const name = new RegExp(`^vmc_sddc_info\\{[^}]*sddc_id="${sddc}"[^}]*sddc_name="([^"]*)"`, 'm').exec(metrics)?.[1];
    assert.ok(name, `vmc_sddc_info of ${sddc}`);
    const orgName = new RegExp(`^vmc_org_info\\{org_id="${org}",org_name="([^"]*)"`, 'm').exec(metrics)?.[1];
    assert.ok(orgName, `vmc_org_info of ${org}`);

    const put = await http(`${sim.url}/_sim/orgs/${org}/sddcs/${sddc}/state`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'FAILED' }),
    });
    assert.equal(put.status, 200, put.text);

    const firing = await waitFor(
      `VMCSDDCFailed for ${sddc} in Prometheus`,
      async () => {
        const res = await http(`${promUrl}/api/v1/alerts`);
        const alerts = (JSON.parse(res.text) as { data: { alerts: Array<{ labels: Record<string, string>; state: string }> } }).data.alerts;
        return alerts.find((a) => a.labels.alertname === 'VMCSDDCFailed' && a.labels.sddc_id === sddc && a.state === 'firing');
      },
      { timeoutMs: 30_000, context: logs },
    );
    assert.equal(firing.labels.severity, 'critical');

    const delivered = await waitFor(
      `the VMCSDDCFailed notification for ${sddc} at the webhook`,
      async () => {
        for (const n of notifications) {
          const alert = n.body.alerts.find((a) => a.labels.alertname === 'VMCSDDCFailed' && a.labels.sddc_id === sddc && a.status === 'firing');
          if (alert) return { path: n.path, receiver: n.body.receiver, alert };
        }
        return undefined;
      },
      { timeoutMs: 30_000, context: () => `${notifications.length} notifications: ${JSON.stringify(notifications.map((n) => [n.path, n.body.alerts.map((a) => a.labels.alertname)]))}\n${logs()}` },
    );
    assert.equal(delivered.receiver, 'vmc-pager');
    assert.equal(delivered.path, '/vmc-pager');
    const { labels, annotations } = delivered.alert;
    assert.deepEqual(
      { alertname: labels.alertname, severity: labels.severity, org_id: labels.org_id, org_name: labels.org_name, sddc_id: labels.sddc_id, sddc_name: labels.sddc_name, state: labels.state, job: labels.job },
      { alertname: 'VMCSDDCFailed', severity: 'critical', org_id: org, org_name: orgName, sddc_id: sddc, sddc_name: name, state: 'FAILED', job: 'vmc' },
    );
    assert.equal(annotations.description, `SDDC ${name} (${sddc}) in org ${orgName} reports sddc_state FAILED.`);
    assert.equal(annotations.runbook_url, runbookUrl('VMCSDDCFailed'));
    assert.equal(annotations.runbook, firstSteps(readRepoFile(RUNBOOK)).get('VMCSDDCFailed'));
  });
});
