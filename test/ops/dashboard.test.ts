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
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import {
  allPanels,
  allTargets,
  dashboardFiles,
  KNOWN_VARIABLES,
  loadDashboard,
  substitute,
  variableQuery,
  variablesIn,
  type Dashboard,
} from './lib/dashboard.js';
import { assertRunOk, readRepoYaml, requireTools, run } from './lib/tools.js';

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

/** The PromQL a query variable runs: the selector of label_values(), the query of query_result(). */
function variablePromql(query: string): string {
  const lv = /^label_values\((.+),\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)$/s.exec(query);
  if (lv) return lv[1]!;
  const qr = /^query_result\((.+)\)$/s.exec(query);
  if (qr) return qr[1]!;
  throw new Error(`unsupported variable query: ${query}`);
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

    test('has the org (multi, all) and sddc variables, querying through ${datasource}', () => {
      const byName = new Map(d.templating.list.map((v) => [v.name, v]));
      const org = byName.get('org');
      assert.ok(org, 'org variable');
      assert.match(variableQuery(org), /^query_result\(.*vmc_org_info.* or on \(org_id\) .*vmc_up.*\)$/, 'org names, the id where there is none');
      assert.match(org.regex ?? '', /\(\?<value>.*\(\?<text>/, 'org: the id is the value, the name the text');
      assert.ok(org.multi && org.includeAll, 'org: multi-value with All');
      const sddc = byName.get('sddc');
      assert.ok(sddc, 'sddc variable');
      assert.match(variableQuery(sddc), /vmc_sddc_info\{org_id=~"\$org"\}/);
      assert.ok(sddc.multi && sddc.includeAll, 'sddc: multi-value with All');
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
    has('SDDCs by state', (p) => /sum by \(state\) \(vmc_sddcs/.test(exprs(p)));
    has('the SDDC state timeline', (p) => p.type === 'state-timeline' && exprs(p).includes('vmc_sddc_state'));
    has('hosts per SDDC', (p) => /sum by \(org_id, sddc_id\) \(vmc_sddc_hosts/.test(exprs(p)));
    has('hosts by state', (p) => /sum by \(state\) \(vmc_sddc_hosts/.test(exprs(p)));
    has('the clusters table', (p) => p.type === 'table' && exprs(p).includes('vmc_cluster_hosts') && exprs(p).includes('vmc_cluster_state'));
    has('days to expiry', (p) => p.type === 'table' && exprs(p).includes('vmc_sddc_expiration_timestamp_seconds'));
    has('vmc_up', (p) => exprs(p).includes('vmc_up{'));
    has('collection duration', (p) => exprs(p).includes('vmc_scrape_duration_seconds'));
    has('data age', (p) => exprs(p).includes('time() - vmc_last_success_timestamp_seconds'));
    has('token refresh success', (p) => /result="success"/.test(exprs(p)) && exprs(p).includes('vmc_token_refreshes_total'));
    has('token latency', (p) => /histogram_quantile\(0\.95, .*vmc_token_refresh_duration_seconds_bucket/.test(exprs(p)));
    has('API requests by code', (p) => exprs(p).includes('rate(vmc_api_requests_total[$__rate_interval])') && exprs(p).includes('code'));
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
        .map((v) => ({ where: `variable ${v.name}`, expr: variablePromql(variableQuery(v)) })),
    ];
    // Recording rules are the one place promtool parses PromQL offline.
    const rules = {
      groups: [
        {
          name: 'dashboard-queries',
          rules: queries.map((q, i) => ({ record: `dashboard:query_${i}`, expr: substitute(q.expr) })),
        },
      ],
    };
    const dir = mkdtempSync(join(tmpdir(), 'vmc-dashboard-'));
    try {
      const file = join(dir, 'queries.yml');
      writeFileSync(file, stringify(rules));
      assertRunOk(run(tools.promtool!, ['check', 'rules', file]), `promtool check rules on ${queries.length} dashboard queries`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
