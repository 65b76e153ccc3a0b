/**
 * Reading the alert rules and the Prometheus configuration for the operator-kit tests.
 */
import { readRepoYaml } from './tools.js';

/** One alerting rule as written in a Prometheus rules file. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/** The shape of a Prometheus rules file (recording rules are not used here). */
export interface RulesFile {
  readonly groups: ReadonlyArray<{ readonly name: string; readonly rules: readonly AlertRule[] }>;
}

/** The subset of prometheus.yml the tests read. */
export interface PrometheusConfig {
  global?: Record<string, string>;
  rule_files: string[];
  alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
  scrape_configs: Array<{
    job_name: string;
    scrape_interval?: string;
    scrape_timeout?: string;
    static_configs: Array<{ targets: string[] }>;
  }>;
}

/** prometheus.yml, parsed. */
export const loadPrometheusConfig = (): PrometheusConfig => readRepoYaml<PrometheusConfig>('prometheus.yml');

/** Repository-relative paths of the rule files prometheus.yml loads (they are relative to it). */
export const ruleFilePaths = (): string[] => loadPrometheusConfig().rule_files;

/** Every alerting rule of every rule file prometheus.yml loads, with the file it came from. */
export function loadAlertRules(): Array<AlertRule & { file: string }> {
  const out: Array<AlertRule & { file: string }> = [];
  for (const file of ruleFilePaths()) {
    const parsed = readRepoYaml<RulesFile>(file);
    for (const group of parsed.groups) for (const rule of group.rules) if (rule.alert) out.push({ ...rule, file });
  }
  return out;
}

