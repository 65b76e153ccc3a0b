/**
 * prometheus/sharded.yml as shard i of M: the edits its header asks for (the lines marked
 * SHARD), made on a parsed copy. Throws when the file no longer has the shape those edits
 * expect, so a changed file cannot silently escape the tests.
 */
import assert from 'node:assert/strict';

/** One relabelling step. */
export interface RelabelConfig {
  source_labels?: string[];
  target_label?: string;
  replacement?: string;
  regex?: string;
  modulus?: number;
  action?: string;
}

/** One scrape job of the shipped configs. */
export interface ScrapeJob {
  job_name: string;
  metrics_path?: string;
  scrape_interval?: string;
  scrape_timeout?: string;
  static_configs?: Array<{ targets: string[] }>;
  file_sd_configs?: Array<{ files: string[] }>;
  relabel_configs?: RelabelConfig[];
}

/** The parts of prometheus/probe.yml and prometheus/sharded.yml the tests read and change. */
export interface ShardableConfig {
  global: Record<string, unknown> & { external_labels?: Record<string, string> };
  rule_files: string[];
  alerting: { alert_relabel_configs?: RelabelConfig[]; alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
  scrape_configs: ScrapeJob[];
}

/** The job of `cfg` called `name`. */
export function job(cfg: ShardableConfig, name: string): ScrapeJob {
  const found = cfg.scrape_configs.find((j) => j.job_name === name);
  assert.ok(found, `scrape job ${name}`);
  return found;
}

/**
 * A copy of sharded.yml for shard `shard` of `shards`, probing and scraping the exporter at
 * `exporter` (host:port): `modulus`, the `keep` regex, the external label `shard` and the
 * replica address of both jobs.
 */
export function shardConfig(shipped: ShardableConfig, opts: { shard: number; shards: number; exporter: string }): ShardableConfig {
  const cfg = structuredClone(shipped);
  const labels = cfg.global.external_labels;
  assert.ok(labels?.['shard'] !== undefined, 'external label shard');
  labels['shard'] = String(opts.shard);
  const self = job(cfg, 'vmc');
  assert.equal(self.static_configs?.length, 1);
  assert.equal(self.static_configs[0]!.targets.length, 1, 'job vmc scrapes one replica');
  self.static_configs[0]!.targets = [opts.exporter];
  const steps = job(cfg, 'vmc-probe').relabel_configs ?? [];
  const hash = steps.filter((r) => r.action === 'hashmod');
  const keep = steps.filter((r) => r.action === 'keep' && r.source_labels?.[0] === hash[0]?.target_label);
  const address = steps.filter((r) => r.target_label === '__address__');
  assert.equal(hash.length, 1, 'one hashmod step');
  assert.equal(keep.length, 1, 'one keep step on its result');
  assert.equal(address.length, 1, 'one step setting the replica address');
  hash[0]!.modulus = opts.shards;
  keep[0]!.regex = String(opts.shard);
  address[0]!.replacement = opts.exporter;
  return cfg;
}
