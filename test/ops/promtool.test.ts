/**
 * The Prometheus and Alertmanager configuration the project ships: checked by the real tools
 * (promtool, amtool) and structurally (labels, annotations, runbook anchors, test coverage).
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  loadAlertRules,
  loadPrometheusConfig,
  ruleFilePaths,
} from './lib/rules.js';
import { firstSteps, RUNBOOK } from '../../scripts/rules-files.js';
import { runbookUrl } from '../../src/lib/docs-links.js';
import { assertRunOk, readRepoFile, readRepoYaml, repoPath, requireTools, run } from './lib/tools.js';

const RULES_DIR = 'prometheus/rules';
const ALERTMANAGER_CONFIG = 'alertmanager/alertmanager.yml';

/** Rule unit-test files: every `*.test.yml` under prometheus/rules. */
const ruleTestFiles = (): string[] =>
  readdirSync(repoPath(RULES_DIR))
    .filter((f) => f.endsWith('.test.yml'))
    .sort()
    .map((f) => `${RULES_DIR}/${f}`);

interface RuleTestFile {
  rule_files: string[];
  tests: Array<{
    name?: string;
    input_series?: Array<{ series: string; values: string }>;
    alert_rule_test?: Array<{ eval_time: string; alertname: string; exp_alerts?: Array<{ exp_labels?: Record<string, string> }> }>;
  }>;
}

/**
 * The labels that tell targets and Prometheus servers apart in Alertmanager: job and instance
 * (and namespace on Kubernetes) name the target, `shard` (prometheus/sharded.yml) and
 * `prometheus` (the Prometheus Operator) the server. Every inhibition compares them.
 */
const TARGET_LABELS = ['job', 'instance', 'namespace', 'shard', 'prometheus'];

/** The jobs the shipped Prometheus and Kubernetes configurations scrape the exporter as. */
function shippedJobs(): string[] {
  const jobs = new Set<string>();
  for (const file of ['prometheus.yml', 'prometheus/probe.yml', 'prometheus/sharded.yml']) {
    for (const j of readRepoYaml<{ scrape_configs: Array<{ job_name: string }> }>(file).scrape_configs) jobs.add(j.job_name);
  }
  const monitor = readRepoYaml<{ spec: { endpoints: Array<{ relabelings?: Array<{ targetLabel?: string; replacement?: string }> }> } }>('deploy/kubernetes/base/servicemonitor.yaml');
  for (const e of monitor.spec.endpoints) {
    const job = (e.relabelings ?? []).find((r) => r.targetLabel === 'job')?.replacement;
    assert.ok(job, 'the ServiceMonitor sets the job label');
    jobs.add(job);
  }
  const probeDir = 'deploy/kubernetes/overlays/sharded/shards';
  const probes = ['deploy/kubernetes/base/probe.yaml', ...readdirSync(repoPath(probeDir)).filter((f) => f.startsWith('probe-')).map((f) => `${probeDir}/${f}`)];
  for (const file of probes) jobs.add(readRepoYaml<{ spec: { jobName: string } }>(file).spec.jobName);
  return [...jobs].sort();
}

const labelList = (text: string): string[] => text.split(',').map((l) => l.trim()).filter((l) => l !== '');
const keepsTarget = (labels: readonly string[]): boolean => labels.includes('job') && labels.includes('instance');

/**
 * Where an alert expression may merge or match series of different targets, each with why
 * not allowed; empty when every aggregation and vector match stays within a target. Allowed
 * beyond that: topk on the info side of a name join (`group_left (...) topk by (ids) (1, ...)`),
 * an aggregation of recorded series (`vmc:...`, which belong to no target), the id fallback
 * (`or on (ids) label_replace(...)`), a match with recorded series, and a many-to-one match
 * whose one side is aggregated by exactly the matching labels.
 */
function crossTargetSpots(expr: string): string[] {
  const spots: string[] = [];
  for (const m of expr.matchAll(/\b(sum|min|max|avg|count|group|stddev|stdvar|quantile|count_values|bottomk|topk)\s+by\s*\(([^)]*)\)\s*\(/g)) {
    const labels = labelList(m[2]!);
    const rest = expr.slice(m.index + m[0].length);
    if (m[1] === 'topk' && /^1,/.test(rest.trim())) continue;
    if (/^vmc:/.test(rest.trim())) continue;
    if (!keepsTarget(labels)) spots.push(`${m[1]} by (${m[2]}) merges targets`);
  }
  for (const m of expr.matchAll(/(\S+)\s+on\s*\(([^)]*)\)\s*/g)) {
    const labels = labelList(m[2]!);
    if (keepsTarget(labels)) continue;
    const rest = expr.slice(m.index + m[0].length);
    if (m[1] === 'or' && rest.startsWith('label_replace(')) continue;
    if (rest.startsWith('vmc:')) continue;
    const many = /^group_left\s*\(([^)]*)\)\s*(?:topk|max|min|sum)\s+by\s*\(([^)]*)\)/.exec(rest);
    if (many && labelList(many[2]!).join(',') === labels.join(',')) continue;
    spots.push(`${m[1]} on (${m[2]}) matches across targets`);
  }
  return spots;
}

interface AlertmanagerConfig {
  route: { receiver: string; group_by?: string[]; routes?: Array<{ matchers?: string[]; receiver: string }> };
  inhibit_rules?: Array<{ source_matchers?: string[]; target_matchers?: string[]; equal?: string[] }>;
  receivers: Array<{ name: string; webhook_configs?: Array<{ url: string }> }>;
}

describe('prometheus.yml', () => {
  test('promtool check config accepts it (rule_files resolve relative to it)', (t) => {
    const tools = requireTools(t, 'promtool');
    if (!tools) return;
    assertRunOk(run(tools.promtool!, ['check', 'config', 'prometheus.yml']), 'promtool check config');
  });

  test('loads every rules file under prometheus/rules, and no rule unit-test file', () => {
    const listed = ruleFilePaths();
    const onDisk = readdirSync(repoPath(RULES_DIR))
      .filter((f) => f.endsWith('.yml') && !f.endsWith('.test.yml'))
      .map((f) => `${RULES_DIR}/${f}`)
      .sort();
    assert.deepEqual([...listed].sort(), onDisk);
  });

  test('scrapes the exporter as job "vmc" on localhost:10040 within its interval, and alerts a local Alertmanager', () => {
    const cfg = loadPrometheusConfig();
    const job = cfg.scrape_configs.find((j) => j.job_name === 'vmc');
    assert.ok(job, 'scrape job "vmc"');
    assert.deepEqual(job.static_configs.flatMap((s) => s.targets), ['localhost:10040']);
    const seconds = (d: string | undefined) => Number(/^(\d+)s$/.exec(d ?? '')?.[1] ?? NaN);
    const interval = seconds(job.scrape_interval ?? cfg.global?.scrape_interval);
    const timeout = seconds(job.scrape_timeout ?? cfg.global?.scrape_timeout);
    assert.ok(interval >= 60, `scrape_interval ${interval}s should not be shorter than the 60 s cache`);
    assert.ok(timeout >= 10 && timeout < interval, `scrape_timeout ${timeout}s`);
    assert.deepEqual(
      cfg.alerting.alertmanagers.flatMap((a) => a.static_configs.flatMap((s) => s.targets)),
      ['localhost:9093'],
    );
  });
});

describe('alert rules', () => {
  test('promtool check rules accepts every rules file', (t) => {
    const tools = requireTools(t, 'promtool');
    if (!tools) return;
    assertRunOk(run(tools.promtool!, ['check', 'rules', ...ruleFilePaths()]), 'promtool check rules');
  });

  test('promtool test rules passes', (t) => {
    const tools = requireTools(t, 'promtool');
    if (!tools) return;
    const files = ruleTestFiles();
    assert.ok(files.length > 0, 'no rule unit-test files');
    assertRunOk(run(tools.promtool!, ['test', 'rules', ...files]), 'promtool test rules');
  });

  test('alert names are unique CamelCase with the VMC prefix', () => {
    const names = loadAlertRules().map((r) => r.alert);
    assert.ok(names.length >= 10, `only ${names.length} alerts`);
    assert.deepEqual(names, [...new Set(names)], 'duplicate alert names');
    for (const name of names) assert.match(name, /^VMC[A-Z][A-Za-z0-9]+$/);
  });

  test('every alert has a severity, summary, templated description, its runbook URL and first steps', () => {
    const steps = firstSteps(readRepoFile(RUNBOOK));
    for (const rule of loadAlertRules()) {
      const where = `${rule.alert} (${rule.file})`;
      assert.match(rule.labels?.severity ?? '', /^(critical|warning|info)$/, `${where}: severity`);
      const a = rule.annotations ?? {};
      assert.ok(a.summary?.trim(), `${where}: summary`);
      assert.ok(!a.summary?.includes('\n'), `${where}: summary is one line`);
      assert.ok(a.description?.trim(), `${where}: description`);
      assert.match(a.description ?? '', /\{\{[^}]*\$(labels|value)/, `${where}: description templates $labels or $value`);
      assert.equal(a.runbook_url, runbookUrl(rule.alert), `${where}: runbook_url`);
      assert.equal(a.runbook, steps.get(rule.alert), `${where}: runbook (the first steps of its section)`);
    }
  });

  test('VMCExporterDown watches every job the shipped Prometheus and Kubernetes configurations scrape', () => {
    const rule = loadAlertRules().find((r) => r.alert === 'VMCExporterDown');
    assert.ok(rule, 'VMCExporterDown');
    const m = /^up\{job=~"([^"]+)"\} == 0$/.exec(rule.expr.trim());
    assert.ok(m, `VMCExporterDown: ${rule.expr}`);
    const watched = new RegExp(`^(?:${m[1]})$`);
    const jobs = shippedJobs();
    assert.deepEqual(jobs, ['vmc', 'vmc-probe']);
    for (const job of jobs) assert.match(job, watched, `job ${job}`);
  });

  test('aggregations and vector matches of the alerts stay within one target (job, instance)', () => {
    const spots = loadAlertRules().flatMap((r) => crossTargetSpots(r.expr).map((s) => `${r.alert}: ${s}`));
    assert.deepEqual(spots, []);
    // The check itself: what it must reject and accept.
    assert.deepEqual(crossTargetSpots('sum by (org_id, sddc_id) (vmc_sddc_hosts)').length, 1);
    assert.deepEqual(crossTargetSpots('a >= on (org_id, cluster_id) b').length, 1);
    assert.deepEqual(crossTargetSpots('a unless on (org_id, sddc_id) b').length, 1);
    assert.deepEqual(crossTargetSpots('a * on (org_id) group_left (org_name) vmc_org_info').length, 1);
    assert.deepEqual(
      crossTargetSpots(
        'sum without (state) (h) unless on (job, instance, org_id) s * on (org_id) group_left (org_name) topk by (org_id) (1, vmc_org_info or on (org_id) label_replace(h, "org_name", "$1", "org_id", "(.*)")) > on (task_type) group_left () max by (task_type) (vmc:t)',
      ),
      [],
    );
  });

  test('the unit tests cover two exporters, one of them down: it alone pages, the other keeps alerting', () => {
    const instanceOf = (series: string) => /instance="([^"]*)"/.exec(series)?.[1];
    let covered = false;
    for (const file of ruleTestFiles()) {
      for (const tc of readRepoYaml<RuleTestFile>(file).tests) {
        const ups = (tc.input_series ?? []).filter((s) => /^up\{[^}]*job="vmc"/.test(s.series));
        const instances = new Set(ups.map((s) => instanceOf(s.series)));
        const down = ups.filter((s) => /(^|\s)0(x|\s|$)/.test(s.values)).map((s) => instanceOf(s.series));
        if (instances.size < 2 || down.length !== 1) continue;
        const checks = tc.alert_rule_test ?? [];
        const pages = checks.filter((c) => c.alertname === 'VMCExporterDown' && (c.exp_alerts ?? []).length > 0);
        const others = checks.filter((c) => c.alertname !== 'VMCExporterDown').flatMap((c) => c.exp_alerts ?? []);
        if (pages.length === 0 || !pages.every((c) => c.exp_alerts!.length === 1 && c.exp_alerts![0]!.exp_labels?.['instance'] === down[0])) continue;
        if (others.some((a) => a.exp_labels?.['instance'] !== undefined && a.exp_labels['instance'] !== down[0])) covered = true;
      }
    }
    assert.ok(covered, 'a test with two exporters, one down, paging once for it while the other one alerts');
  });

  test('every alert has a unit test where it fires and one where it must stay silent', () => {
    const fires = new Set<string>();
    const silent = new Set<string>();
    const ruleFiles = new Set<string>();
    for (const file of ruleTestFiles()) {
      const parsed = readRepoYaml<RuleTestFile>(file);
      for (const f of parsed.rule_files) ruleFiles.add(`${RULES_DIR}/${f}`);
      for (const tc of parsed.tests) {
        for (const a of tc.alert_rule_test ?? []) {
          if ((a.exp_alerts ?? []).length > 0) fires.add(a.alertname);
          else silent.add(a.alertname);
        }
      }
    }
    assert.deepEqual([...ruleFiles].sort(), [...ruleFilePaths()].sort(), 'the tests load the same rule files');
    const names = loadAlertRules().map((r) => r.alert);
    assert.deepEqual(names.filter((n) => !fires.has(n)), [], 'alerts without a firing test case');
    assert.deepEqual(names.filter((n) => !silent.has(n)), [], 'alerts without a silent test case');
    const unknown = [...fires, ...silent].filter((n) => !names.includes(n));
    assert.deepEqual(unknown, [], 'test cases for alerts that do not exist');
  });
});

describe('alertmanager/alertmanager.yml', () => {
  const config = () => readRepoYaml<AlertmanagerConfig>(ALERTMANAGER_CONFIG);

  test('amtool check-config accepts it', (t) => {
    const tools = requireTools(t, 'amtool');
    if (!tools) return;
    assertRunOk(run(tools.amtool!, ['check-config', ALERTMANAGER_CONFIG]), 'amtool check-config');
  });

  test('routes critical to the pager, warning to tickets, info nowhere, unknown to tickets', (t) => {
    const tools = requireTools(t, 'amtool');
    if (!tools) return;
    const cases: Array<[string, string]> = [
      ['critical', 'vmc-pager'],
      ['warning', 'vmc-ticket'],
      ['info', 'null'],
      ['something-else', 'vmc-ticket'],
    ];
    for (const [severity, receiver] of cases) {
      const r = run(tools.amtool!, [
        'config',
        'routes',
        'test',
        `--config.file=${ALERTMANAGER_CONFIG}`,
        `--verify.receivers=${receiver}`,
        'alertname=VMCSDDCFailed',
        `severity=${severity}`,
        'org_id=o1',
        'sddc_id=s1',
      ]);
      assertRunOk(r, `routing severity=${severity}`);
      assert.equal(r.stdout.trim(), receiver, `severity=${severity}`);
    }
    const nul = config().receivers.find((r) => r.name === 'null');
    assert.ok(nul, 'null receiver');
    assert.equal(Object.keys(nul).length, 1, 'the null receiver sends nothing');
  });

  test('the planning alerts of severity warning (maintenance within 72 h, subscription within 30 days, API token) reach the ticket receiver', (t) => {
    const tools = requireTools(t, 'amtool');
    if (!tools) return;
    const rules = new Map(loadAlertRules().map((r) => [r.alert, r]));
    for (const alert of ['VMCMaintenanceWindowSoon', 'VMCSubscriptionEndingSoon', 'VMCAPITokenExpiringSoon', 'VMCTaskRunningTooLong']) {
      const severity = rules.get(alert)?.labels?.severity;
      assert.equal(severity, 'warning', `${alert} severity`);
      const r = run(tools.amtool!, ['config', 'routes', 'test', `--config.file=${ALERTMANAGER_CONFIG}`, '--verify.receivers=vmc-ticket', `alertname=${alert}`, `severity=${severity}`, 'org_id=o1']);
      assertRunOk(r, `routing ${alert}`);
      assert.equal(r.stdout.trim(), 'vmc-ticket', alert);
    }
  });

  test('groups by alertname, org_id and sddc_id; receivers are localhost webhook placeholders', () => {
    const cfg = config();
    assert.deepEqual(cfg.route.group_by, ['alertname', 'org_id', 'sddc_id']);
    for (const receiver of cfg.receivers) {
      for (const hook of receiver.webhook_configs ?? []) {
        assert.match(hook.url, /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?\//, `${receiver.name}: ${hook.url}`);
      }
    }
  });

  test('every alertname matcher of the inhibit rules matches an alert that exists', () => {
    const names = loadAlertRules().map((r) => r.alert);
    const rules = config().inhibit_rules ?? [];
    assert.ok(rules.length >= 2, 'inhibit rules');
    for (const rule of rules) {
      for (const matcher of [...(rule.source_matchers ?? []), ...(rule.target_matchers ?? [])]) {
        const m = /^alertname\s*(=~|=|!=|!~)\s*"([^"]*)"$/.exec(matcher);
        if (!m || m[1]!.startsWith('!')) continue;
        const re = m[1] === '=~' ? new RegExp(`^(?:${m[2]})$`) : undefined;
        const hits = names.filter((n) => (re ? re.test(n) : n === m[2]));
        assert.ok(hits.length > 0, `matcher ${matcher} matches no alert`);
        if (re) for (const alt of m[2]!.split('|')) {
          if (/^[A-Za-z0-9]+$/.test(alt)) assert.ok(names.includes(alt), `matcher ${matcher}: no alert ${alt}`);
        }
      }
    }
    const sources = rules.flatMap((r) => r.source_matchers ?? []).join(' ');
    for (const expected of ['VMCExporterDown', 'VMCSDDCExpiryImminent']) {
      assert.ok(sources.includes(expected), `${expected} inhibits other alerts`);
    }
  });

  test('every inhibition stays within one target and Prometheus server: its equal labels name them', () => {
    for (const rule of config().inhibit_rules ?? []) {
      const where = (rule.source_matchers ?? []).join(' ');
      assert.deepEqual(TARGET_LABELS.filter((l) => !(rule.equal ?? []).includes(l)), [], `${where}: equal`);
    }
  });
});
