/**
 * Reading the Grafana dashboards and turning their queries into plain PromQL for the
 * operator-kit tests.
 */
import { readdirSync } from 'node:fs';
import { readRepoFile, repoPath } from './tools.js';

/** Where the dashboards live, repository-relative. */
export const DASHBOARD_DIR = 'grafana/dashboards';

/** A Grafana datasource reference. */
export interface DatasourceRef {
  type?: string;
  uid?: string;
}

/** The parts of a panel the tests read. */
export interface Panel {
  id: number;
  type: string;
  title?: string;
  description?: string;
  datasource?: DatasourceRef;
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: Array<{ refId?: string; expr?: string; datasource?: DatasourceRef; format?: string; instant?: boolean }>;
  fieldConfig?: { defaults?: { unit?: string } };
  panels?: Panel[];
}

/** A template variable. */
export interface Variable {
  type: string;
  name: string;
  label?: string;
  query?: string | { query?: string };
  regex?: string;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
  datasource?: DatasourceRef;
}

/** The parts of a dashboard the tests read. */
export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
}

/** Repository-relative paths of every dashboard JSON file. */
export const dashboardFiles = (): string[] =>
  readdirSync(repoPath(DASHBOARD_DIR))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => `${DASHBOARD_DIR}/${f}`);

/** Parses one dashboard file. */
export const loadDashboard = (file: string): Dashboard => JSON.parse(readRepoFile(file)) as Dashboard;

/** Every panel, rows' nested panels included, rows themselves excluded. */
export function allPanels(d: Dashboard): Panel[] {
  const out: Panel[] = [];
  const walk = (ps: Panel[]) => {
    for (const p of ps) {
      if (p.type === 'row') walk(p.panels ?? []);
      else out.push(p);
    }
  };
  walk(d.panels);
  return out;
}

/** Every (panel, target) pair of every dashboard, with a name for messages. */
export function allTargets(): Array<{ where: string; panel: Panel; expr: string; instant: boolean }> {
  const out: Array<{ where: string; panel: Panel; expr: string; instant: boolean }> = [];
  for (const file of dashboardFiles()) {
    for (const panel of allPanels(loadDashboard(file))) {
      for (const t of panel.targets ?? []) {
        out.push({ where: `${file}: "${panel.title}" ${t.refId}`, panel, expr: t.expr ?? '', instant: t.instant === true });
      }
    }
  }
  return out;
}

/** The text of a variable's query (a string, or the object newer Grafana writes). */
export const variableQuery = (v: Variable): string => (typeof v.query === 'string' ? v.query : (v.query?.query ?? ''));

/**
 * What a query variable asks Prometheus: `label_values(<selector>, <label>)` lists the values
 * of `label` in the series of `selector`; `query_result(<expr>)` runs `expr`.
 */
export function variablePromql(query: string): { kind: 'label_values'; promql: string; label: string } | { kind: 'query_result'; promql: string } {
  const lv = /^label_values\((.+),\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)$/s.exec(query);
  if (lv) return { kind: 'label_values', promql: lv[1]!, label: lv[2]! };
  const qr = /^query_result\((.+)\)$/s.exec(query);
  if (qr) return { kind: 'query_result', promql: qr[1]! };
  throw new Error(`unsupported variable query: ${query}`);
}

/** Values for the template and built-in variables when a query is run outside Grafana. */
export interface Substitutions {
  /** `$job` (a regex; `.*` is what "All" sends). */
  job: string;
  /** `$instance` (a regex). */
  instance: string;
  /** `$org` (a regex). */
  org: string;
  /** `$sddc` (a regex). */
  sddc: string;
  /** `$__rate_interval`. */
  rateInterval: string;
  /** `$__interval`. */
  interval: string;
  /** `$__range`. */
  range: string;
}

/** What "All" selects, with windows that suit a short test run. */
export const ALL: Substitutions = { job: '.*', instance: '.*', org: '.*', sddc: '.*', rateInterval: '1m', interval: '15s', range: '1h' };

/** Every variable name the dashboards may use, built-ins included. */
export const KNOWN_VARIABLES = new Set(['datasource', 'job', 'instance', 'org', 'sddc', '__rate_interval', '__interval', '__range']);

/**
 * A variable reference: `$name`, `${name}` or `${name:fmt}`. `$1` and the like are
 * label_replace references, not variables (Grafana leaves them as they are).
 */
const VARIABLE = /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Names of the variables a query uses. */
export function variablesIn(expr: string): string[] {
  return [...expr.matchAll(VARIABLE)].map((m) => (m[1] ?? m[2])!);
}

/** Replaces Grafana variables with concrete values, giving plain PromQL. */
export function substitute(expr: string, s: Substitutions = ALL): string {
  const values: Record<string, string> = {
    job: s.job,
    instance: s.instance,
    org: s.org,
    sddc: s.sddc,
    __rate_interval: s.rateInterval,
    __interval: s.interval,
    __range: s.range,
  };
  return expr.replace(VARIABLE, (whole, a?: string, b?: string) => {
    const name = (a ?? b)!;
    const v = values[name];
    if (v === undefined) throw new Error(`unknown variable ${whole} in ${expr}`);
    return v;
  });
}

/**
 * The text Grafana's `query_result()` variable query makes of one instant-vector sample, which
 * the variable's regex is applied to: `name{l1="v1",l2="v2"} value timestampMs`.
 */
export function queryResultText(metric: Record<string, string>, value: [number, string]): string {
  const { __name__: name = '', ...labels } = metric;
  const body = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return `${name}{${body}} ${value[1]} ${value[0] * 1000}`;
}

/** Turns a Grafana `/pattern/flags` regex string into a RegExp. */
export function grafanaRegex(raw: string): RegExp {
  const m = /^\/(.*)\/([gimsuy]*)$/s.exec(raw);
  if (!m) throw new Error(`not a /regex/: ${raw}`);
  return new RegExp(m[1]!, m[2]);
}
