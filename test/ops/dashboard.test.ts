/**
 * Structural lint of the Grafana dashboards and their provisioning files, in the spirit of
 * grafana/dashboard-linter: a `datasource` variable and no hard-coded datasource, titles,
 * descriptions and units on every panel, `$__rate_interval` in rate windows, and every query
 * valid PromQL (checked offline by promtool).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { COLLECTORS } from '../../src/collect/collectors/index.js';
import { parseCommandLine } from '../../src/config/parse-config.js';
import { startExporter, type Exporter } from '../../src/run.js';
import { startSimulator, type Simulator } from '../../sim/src/server.js';
import { parseExposition, type Sample } from '../helpers/exposition.js';
import { captureLogger } from '../helpers/log-sink.js';
import {
  ALL,
  allPanels,
  allTargets,
  dashboardFiles,
  KNOWN_VARIABLES,
  loadDashboard,
  substitute,
  type Substitutions,
  variablePromql,
  variableQuery,
  variablesIn,
  type Dashboard,
} from './lib/dashboard.js';
import { metricSelectors } from './lib/promql.js';
import { assertPromqlParses, assertRunOk, readRepoYaml, requireTools, run } from './lib/tools.js';

const DATASOURCE_REF = { type: 'prometheus', uid: '${datasource}' };

/** Every value under `key` anywhere in a JSON tree, with its path. */
function findKey(node: unknown, key: string, path = '$'): Array<{ path: string; value: unknown }> {
  if (Array.isArray(node)) return node.flatMap((v, i) => findKey(v, key, `${path}[${i}]`));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([k, v]) => [
    ...(k === key ? [{ path: `${path}.${k}`, value: v }] : []),
    ...findKey(v, key, `${path}.${k}`),
  ]);
}


for (const file of dashboardFiles()) {
  describe(file, () => {
    const d: Dashboard = loadDashboard(file);
    const panels = allPanels(d);

    test('has a stable uid, a title and a recent schemaVersion', () => {
      if (file.endsWith('/vmc-overview.json')) assert.equal(d.uid, 'vmc-overview');
      assert.match(d.uid, /^[a-z0-9-]{1,40}$/);
      assert.ok(d.title);
      assert.ok(d.schemaVersion >= 39, `schemaVersion ${d.schemaVersion}`);
    });

    test('has exactly one datasource variable, named "datasource", labelled "Data Source", for Prometheus', () => {
      const ds = d.templating.list.filter((v) => v.type === 'datasource');
      assert.equal(ds.length, 1);
      assert.equal(ds[0]!.name, 'datasource');
      assert.equal(ds[0]!.label, 'Data Source');
      assert.equal(ds[0]!.query, 'prometheus');
    });

    test('hard-codes no datasource: every datasource reference is ${datasource}', () => {
      const text = JSON.stringify(d);
      assert.ok(!text.includes('DS_PROMETHEUS') && !('__inputs' in d), 'no ${DS_...} import inputs');
      const refs = findKey(d, 'datasource');
      assert.ok(refs.length > 0);
      for (const { path, value } of refs) assert.deepEqual(value, DATASOURCE_REF, path);
      // The only other uid is the dashboard's own.
      const uids = findKey(d, 'uid').filter((u) => u.path !== '$.uid' && u.value !== '${datasource}');
      assert.deepEqual(uids, []);
    });

    test('has the job, instance, org and sddc variables (multi, all), in that order, querying through ${datasource}', () => {
      const byName = new Map(d.templating.list.map((v) => [v.name, v]));
      assert.deepEqual(
        d.templating.list.filter((v) => v.type === 'query').map((v) => v.name),
        ['job', 'instance', 'org', 'sddc'],
        'each variable after the ones it uses',
      );
      const job = byName.get('job');
      assert.ok(job, 'job variable');
      assert.deepEqual(variablePromql(variableQuery(job)), { kind: 'label_values', promql: '{__name__=~"vmc_up|vmc_exporter_build_info"}', label: 'job' }, 'jobs of every exporter target: /metrics (build info) and probes (vmc_up)');
      const instance = byName.get('instance');
      assert.ok(instance, 'instance variable');
      assert.deepEqual(variablePromql(variableQuery(instance)), { kind: 'label_values', promql: '{__name__=~"vmc_up|vmc_exporter_build_info", job=~"$job"}', label: 'instance' }, 'targets of the selected jobs');
      const org = byName.get('org');
      assert.ok(org, 'org variable');
      assert.match(variableQuery(org), /^query_result\(.*vmc_org_info.* or on \(org_id\) .*vmc_up.*\)$/, 'org names, the id where there is none');
      assert.match(org.regex ?? '', /\(\?<value>.*\(\?<text>/, 'org: the id is the value, the name the text');
      const sddc = byName.get('sddc');
      assert.ok(sddc, 'sddc variable');
      assert.match(variableQuery(sddc), /vmc_sddc_info\{[^}]*org_id=~"\$org"[^}]*\}/);
      for (const v of [job, instance, org, sddc]) assert.ok(v.multi && v.includeAll, `${v.name}: multi-value with All`);
      for (const v of d.templating.list.filter((x) => x.type === 'query')) {
        assert.deepEqual(v.datasource, DATASOURCE_REF, `variable ${v.name}`);
        assert.equal(v.allValue, '.*', `variable ${v.name}: All selects everything`);
      }
    });

    test('every panel has a unique id, a title, a description, a unit and fits the 24-column grid without overlap', () => {
      const ids = new Set<number>();
      for (const p of d.panels) {
        assert.ok(!ids.has(p.id), `duplicate panel id ${p.id}`);
        ids.add(p.id);
      }
      for (const p of panels) {
        assert.ok(p.title?.trim(), `panel ${p.id}: title`);
        assert.ok((p.description?.trim().length ?? 0) >= 20, `"${p.title}": description`);
        assert.ok(p.fieldConfig?.defaults?.unit, `"${p.title}": unit`);
        assert.deepEqual(p.datasource, DATASOURCE_REF, `"${p.title}": datasource`);
      }
      const boxes = d.panels.map((p) => ({ t: p.title, ...p.gridPos }));
      for (const b of boxes) assert.ok(b.x >= 0 && b.w > 0 && b.x + b.w <= 24, `"${b.t}" gridPos`);
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i]!;
          const b = boxes[j]!;
          const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
          assert.ok(!overlap, `"${a.t}" overlaps "${b.t}"`);
        }
      }
    });

    test('every target has an expr, a unique refId and the ${datasource} datasource', () => {
      for (const p of panels) {
        assert.ok((p.targets ?? []).length > 0, `"${p.title}": targets`);
        const refIds = new Set<string>();
        for (const t of p.targets ?? []) {
          assert.ok(t.expr?.trim(), `"${p.title}" ${t.refId}: expr`);
          assert.ok(t.refId && !refIds.has(t.refId), `"${p.title}": refId ${t.refId}`);
          refIds.add(t.refId);
          assert.deepEqual(t.datasource, DATASOURCE_REF, `"${p.title}" ${t.refId}: datasource`);
        }
      }
    });

    test('every metric selector of every query and variable selects $job and $instance', () => {
      const queries = [
        ...panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `"${p.title}" ${t.refId}`, expr: t.expr ?? '' }))),
        ...d.templating.list
          .filter((v) => v.type === 'query' && v.name !== 'job' && v.name !== 'instance')
          .map((v) => ({ where: `variable ${v.name}`, expr: variablePromql(variableQuery(v)).promql })),
      ];
      const unfiltered: string[] = [];
      for (const q of queries) {
        for (const selector of metricSelectors(q.expr)) {
          if (!selector.includes('job=~"$job"') || !selector.includes('instance=~"$instance"')) unfiltered.push(`${q.where}: ${selector}`);
        }
      }
      assert.deepEqual(unfiltered, []);
    });

    test('queries use only known variables and $__rate_interval (or $__range) as rate windows', () => {
      for (const p of panels) {
        for (const t of p.targets ?? []) {
          const expr = t.expr ?? '';
          for (const v of variablesIn(expr)) assert.ok(KNOWN_VARIABLES.has(v), `"${p.title}": unknown variable $${v}`);
          for (const m of expr.matchAll(/\b(rate|irate|increase)\s*\([^[]*\[([^\]]+)\]/g)) {
            assert.ok(['$__rate_interval', '$__range'].includes(m[2]!), `"${p.title}": ${m[1]}() window ${m[2]}`);
          }
        }
      }
    });
  });
}

describe('vmc-overview content', () => {
  const d = loadDashboard('grafana/dashboards/vmc-overview.json');
  const panels = allPanels(d);
  const exprs = (p: (typeof panels)[number]) => (p.targets ?? []).map((t) => t.expr ?? '').join('\n');
  const has = (what: string, pred: (p: (typeof panels)[number]) => boolean) =>
    assert.ok(panels.some(pred), `a panel for ${what}`);

  test('covers SDDC state, hosts, clusters, expiry and exporter health', () => {
    has('SDDCs by state', (p) => /sum by \(state\) \(max by \(org_id, state\) \(vmc_sddcs/.test(exprs(p)));
    has('the SDDC state timeline', (p) => p.type === 'state-timeline' && exprs(p).includes('vmc_sddc_state'));
    has('hosts per SDDC', (p) => /sum by \(org_id, sddc_id\) \(max by \(org_id, sddc_id, state\) \(vmc_sddc_hosts/.test(exprs(p)));
    has('hosts by state', (p) => /sum by \(state\) \(max by \(org_id, sddc_id, state\) \(vmc_sddc_hosts/.test(exprs(p)));
    has('the clusters table', (p) => p.type === 'table' && exprs(p).includes('vmc_cluster_hosts') && exprs(p).includes('vmc_cluster_state'));
    has('days to expiry', (p) => p.type === 'table' && exprs(p).includes('vmc_sddc_expiration_timestamp_seconds'));
    has('vmc_up', (p) => exprs(p).includes('vmc_up{'));
    has('collection duration', (p) => exprs(p).includes('vmc_scrape_duration_seconds'));
    has('data age', (p) => exprs(p).includes('time() - vmc_last_success_timestamp_seconds'));
    has('token refresh success', (p) => /result="success"/.test(exprs(p)) && exprs(p).includes('vmc_token_refreshes_total'));
    has('token latency', (p) => /histogram_quantile\(0\.95, .*vmc_token_refresh_duration_seconds_bucket/.test(exprs(p)));
    has('API requests by code', (p) => /rate\(vmc_api_requests_total\{[^}]*\}\[\$__rate_interval\]\)/.test(exprs(p)) && exprs(p).includes('code'));
    has('API latency', (p) => /histogram_quantile\(0\.95, .*vmc_api_request_duration_seconds_bucket/.test(exprs(p)));
  });

  test('covers cluster capacity and a host table with name, zone, type and state', () => {
    has('capacity per cluster', (p) =>
      p.type === 'table' && ['cpu_cores', 'cpu_hertz', 'memory_bytes', 'storage_bytes'].every((m) => exprs(p).includes(`vmc_cluster_capacity_${m}`)) && exprs(p).includes('vmc_cluster_info'),
    );
    has('the host table', (p) => p.type === 'table' && exprs(p).includes('vmc_host_info') && exprs(p).includes('vmc_host_state'));
  });

  test('covers what is upcoming (windows, subscription ends, token expiry, sorted by time), tasks, EDRS headroom and AWS connections', () => {
    has('the upcoming table', (p) =>
      p.type === 'table' &&
      /^sort\(/.test(exprs(p)) &&
      ['vmc_sddc_maintenance_window_start_timestamp_seconds', 'vmc_subscription_end_timestamp_seconds', 'vmc_api_token_expiry_timestamp_seconds'].every((m) => exprs(p).includes(m)),
    );
    has('tasks by type and status', (p) => exprs(p).includes('vmc_tasks{'));
    has('running tasks', (p) => p.type === 'table' && exprs(p).includes('vmc_task_start_timestamp_seconds') && exprs(p).includes('vmc_task_progress_ratio'));
    has('EDRS headroom', (p) => p.type === 'table' && /vmc_cluster_edrs_max_hosts[^]*- on \(org_id, sddc_id, cluster_id\)[^]*vmc_cluster_hosts/.test(exprs(p)));
    has('AWS connections', (p) => exprs(p).includes('vmc_sddc_aws_connection_state'));
    has('maintenance now', (p) => exprs(p).includes('vmc_sddc_in_maintenance_window'));
  });

  test('the org variable regex takes the id as value and the name as text, or the id alone', () => {
    const org = d.templating.list.find((v) => v.name === 'org')!;
    const re = new RegExp(/^\/(.*)\/$/.exec(org.regex!)![1]!);
    assert.deepEqual({ ...re.exec('{org_id="o1",org_name="ACME Production"} 1 1700000000000')?.groups }, { value: 'o1', text: 'ACME Production' });
    assert.deepEqual({ ...re.exec('{org_id="o2"} 1 1700000000000')?.groups }, { value: 'o2', text: undefined });
  });

  test('every query is valid PromQL once the variables are substituted (promtool)', (t) => {
    const tools = requireTools(t, 'promtool');
    if (!tools) return;
    const queries = [
      ...allTargets().map((x) => ({ where: x.where, expr: x.expr })),
      ...d.templating.list
        .filter((v) => v.type === 'query')
        .map((v) => ({ where: `variable ${v.name}`, expr: variablePromql(variableQuery(v)).promql })),
    ];
    assertPromqlParses(tools.promtool!, queries.map((q) => ({ where: q.where, expr: substitute(q.expr) })), 'dashboard queries');
  });
});

describe('Grafana provisioning', () => {
  test('the datasource file provides one Prometheus datasource on localhost:9090 with the 60 s scrape interval', () => {
    const cfg = readRepoYaml<{ apiVersion: number; datasources: Array<Record<string, unknown>> }>(
      'grafana/provisioning/datasources/prometheus.yml',
    );
    assert.equal(cfg.apiVersion, 1);
    assert.equal(cfg.datasources.length, 1);
    const ds = cfg.datasources[0]!;
    assert.equal(ds.type, 'prometheus');
    assert.equal(ds.url, 'http://localhost:9090');
    assert.equal((ds.jsonData as Record<string, unknown>).timeInterval, '60s');
  });

  test('the dashboard provider loads JSON files from a path', () => {
    const cfg = readRepoYaml<{ apiVersion: number; providers: Array<{ type: string; options: { path: string } }> }>(
      'grafana/provisioning/dashboards/vmc.yml',
    );
    assert.equal(cfg.apiVersion, 1);
    assert.equal(cfg.providers.length, 1);
    assert.equal(cfg.providers[0]!.type, 'file');
    assert.match(cfg.providers[0]!.options.path, /^\/[\w/.-]+$/);
  });
});

/**
 * The dashboard's queries over a real scrape of the exporter against the simulator's demo
 * estate, evaluated by promtool (`promql_expr_test`):
 *
 * - Two exporters collecting the same orgs into one Prometheus: exporter a with all it
 *   serves, exporter b with the same orgs' series (what its collectors and scrape tail
 *   render; its token and API request counters are its own, so b has none here). Every query
 *   must give the same rows and values with both as with a alone: nothing counted twice, no
 *   row twice, no many-to-many error.
 * - A query whose data comes from one collector and only its names (an `_info` family) from
 *   another keeps its rows while that other collector has no data (turned off, or failing):
 *   the rows are then named by their ids.
 */
describe('dashboard queries over a real scrape', () => {
  const A = 'exporter-a:10040';
  const B = 'exporter-b:10040';
  /** 15 s samples, evaluated after 20 minutes: rate windows of 2 minutes hold several. */
  const STEPS = 120;
  const at: Substitutions = { ...ALL, rateInterval: '2m', range: '10m' };
  let sim: Simulator | undefined;
  let exporter: Exporter | undefined;

  before(async () => {
    const log = captureLogger('warn');
    sim = await startSimulator();
    const parsed = await parseCommandLine(
      ['--web.listen-address=127.0.0.1:0', `--csp.url=${sim.url}`, `--vmc.url=${sim.url}`, `--vmc.org=${sim.orgIds.join(',')}`],
      { VMC_CLIENT_ID: sim.credentials.clientId, VMC_CLIENT_SECRET: sim.credentials.clientSecret },
      { version: '0.0.0-test', collectors: COLLECTORS },
    );
    assert.equal(parsed.action, 'run');
    if (parsed.action !== 'run') return;
    exporter = await startExporter(parsed.config, { logger: log.logger, secrets: log.secrets, version: '0.0.0-test', processMetrics: false });
  });
  after(async () => {
    await exporter?.close();
    await sim?.close();
  });

  /** The dashboard's queries: every target and the org and SDDC variables. */
  function dashboardQueries(): Array<{ where: string; expr: string }> {
    const d = loadDashboard('grafana/dashboards/vmc-overview.json');
    return [
      ...allTargets().map((x) => ({ where: x.where, expr: x.expr })),
      ...d.templating.list
        .filter((v) => v.type === 'query' && v.name !== 'job' && v.name !== 'instance')
        .map((v) => ({ where: `variable ${v.name}`, expr: variablePromql(variableQuery(v)).promql })),
    ];
  }

  /** The metric names a query reads. */
  const familiesOf = (expr: string): string[] => [...new Set(metricSelectors(expr).map((sel) => /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(sel)![0]))];

  /**
   * The exporter's samples, once every family the queries read is there (the API token's
   * only exists with an API token); a collector that failed on the first scrape is retried
   * on the next.
   */
  async function scrapeFor(queries: ReadonlyArray<{ expr: string }>): Promise<Sample[]> {
    const wanted = new Set(queries.flatMap((q) => familiesOf(q.expr)));
    wanted.delete('vmc_api_token_expiry_timestamp_seconds');
    let samples: Sample[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      samples = parseExposition(await (await fetch(`${exporter!.url}/metrics`)).text()).samples.filter((s) => Number.isFinite(s.value));
      if ([...wanted].every((name) => samples.some((s) => s.name === name))) break;
    }
    assert.deepEqual([...wanted].filter((name) => !samples.some((s) => s.name === name)), [], 'the scrape holds every family the dashboard reads');
    return samples;
  }

  const counter = (name: string) => /_(total|bucket|count|sum)$/.test(name);
  /** A promtool input series of `s` as scraped from `instance` of job vmc. */
  const series = (s: Sample, instance: string) => ({
    series: `${s.name}{${Object.entries({ ...s.labels, job: 'vmc', instance })
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(', ')}}`,
    values: counter(s.name) ? `${s.value}+1x${STEPS}` : `${s.value}x${STEPS}`,
  });
  const evalTime = '20m';
  /** Checks that `a` and `b` give the same rows, values included, and that `a` gives some. */
  const sameRows = (a: string, b: string) => [
    // Same number of rows (and both non-empty: count() of nothing is nothing).
    { expr: `count(${a}) - count(${b})`, eval_time: evalTime, exp_samples: [{ labels: '{}', value: 0 }] },
    // Every row the same, value included.
    { expr: `count(${b}) - count((${a}) == (${b}))`, eval_time: evalTime, exp_samples: [{ labels: '{}', value: 0 }] },
  ];

  /** Runs one promtool unit test of `checks` over `inputSeries`. */
  function promtoolTest(promtool: string, name: string, inputSeries: ReadonlyArray<{ series: string; values: string }>, checks: readonly object[], what: string): void {
    const file = { rule_files: [], evaluation_interval: '15s', tests: [{ interval: '15s', input_series: inputSeries, promql_expr_test: checks }] };
    const dir = mkdtempSync(join(tmpdir(), `vmc-dashboard-${name}-`));
    try {
      const path = join(dir, `${name}.test.yml`);
      writeFileSync(path, stringify(file, { lineWidth: 0 }));
      assertRunOk(run(promtool, ['test', 'rules', path], { timeoutMs: 120_000 }), what);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  test('every dashboard query gives the same answer with both exporters as with one (promtool)', async (t) => {
    const tools = requireTools(t, 'promtool');
    if (!tools) return;
    const queries = dashboardQueries();
    const samples = await scrapeFor(queries);
    const orgData = (s: Sample) => (s.labels['org_id'] ?? '') !== '' && !/^vmc_(token|api)_/.test(s.name);
    const checks = queries.flatMap((q) => sameRows(substitute(q.expr, at), substitute(q.expr, { ...at, instance: A })));
    const input = [...samples.map((s) => series(s, A)), ...samples.filter(orgData).map((s) => series(s, B))];
    promtoolTest(tools.promtool!, 'twice', input, checks, `promtool on ${queries.length} dashboard queries over two exporters`);
  });

  test('a query that takes only names from another collector keeps its rows while that collector has no data (promtool)', async (t) => {
    const tools = requireTools(t, 'promtool');
    if (!tools) return;
    const queries = dashboardQueries();
    const samples = await scrapeFor(queries);
    const collectorOf = new Map(COLLECTORS.flatMap((c) => c.families.map((f) => [f.name, c.name] as const)));
    // Instance A has every collector's data; instance "without-X" has all but collector X's.
    const input = [...samples.map((s) => series(s, A))];
    const checks: object[] = [];
    const checked: string[] = [];
    for (const c of COLLECTORS) {
      const without = `without-${c.name}`;
      input.push(...samples.filter((s) => collectorOf.get(s.name) !== c.name).map((s) => series(s, without)));
      for (const q of queries) {
        const read = familiesOf(q.expr);
        const mine = read.filter((name) => collectorOf.get(name) === c.name);
        // Only names (info families) come from this collector, and the data from others.
        if (mine.length === 0 || !mine.every((name) => name.endsWith('_info')) || mine.length === read.length) continue;
        checked.push(`${q.where} without ${c.name}`);
        // The same number of rows; the name labels differ (the fallback names each row by its id).
        const [a, b] = [substitute(q.expr, { ...at, instance: A }), substitute(q.expr, { ...at, instance: without })];
        checks.push({ expr: `count(${a}) - count(${b})`, eval_time: evalTime, exp_samples: [{ labels: '{}', value: 0 }] });
      }
    }
    assert.ok(checked.length >= 3, `the cross-collector name joins: ${checked.join('; ')}`);
    promtoolTest(tools.promtool!, 'names', input, checks, `promtool on ${checked.length} name joins with the name's collector empty (${checked.join('; ')})`);
  });
});
