/**
 * The Prometheus configurations for many orgs: probe.yml (one exporter, one target per org),
 * sharded.yml (shard i of M with its own exporter replica) and the org list both read.
 * promtool checks them; the structure tests pin what the docs promise.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isOrgId } from '../../src/config/values.js';
import { loadPrometheusConfig } from './lib/rules.js';
import { job, shardConfig, type ShardableConfig } from './lib/shards.js';
import { assertRunOk, readRepoYaml, requireTools, run } from './lib/tools.js';

const CONFIGS = ['prometheus/probe.yml', 'prometheus/sharded.yml'] as const;
const load = (file: string): ShardableConfig => readRepoYaml<ShardableConfig>(file);

describe('probe.yml and sharded.yml', () => {
  for (const file of CONFIGS) {
    test(`promtool check config accepts ${file} (rules and org list resolve relative to it)`, (t) => {
      const tools = requireTools(t, 'promtool');
      if (!tools) return;
      assertRunOk(run(tools.promtool!, ['check', 'config', file]), `promtool check config ${file}`);
    });

    test(`${file} loads the same rules as prometheus.yml`, () => {
      const rules = load(file).rule_files.map((f) => `prometheus/${f}`);
      assert.deepEqual(rules, loadPrometheusConfig().rule_files);
    });

    test(`${file}: an HA pair differs only in the external label replica, which alerts drop`, () => {
      const cfg = load(file);
      assert.ok(cfg.global.external_labels?.['replica'], 'external label replica');
      assert.deepEqual(cfg.alerting.alert_relabel_configs, [{ action: 'labeldrop', regex: 'replica' }]);
    });

    test(`${file}: job vmc scrapes /metrics; job vmc-probe probes /probe with target = org id = instance`, () => {
      const cfg = load(file);
      assert.equal(job(cfg, 'vmc').metrics_path, '/metrics');
      const probe = job(cfg, 'vmc-probe');
      assert.equal(probe.metrics_path, '/probe');
      assert.deepEqual(probe.file_sd_configs, [{ files: ['vmc-orgs.yml'] }]);
      const steps = (probe.relabel_configs ?? []).filter((r) => r.action === undefined);
      assert.deepEqual(steps.slice(0, 2), [
        { source_labels: ['__address__'], target_label: '__param_target' },
        { source_labels: ['__param_target'], target_label: 'instance' },
      ]);
      const address = steps[2];
      assert.equal(address?.target_label, '__address__');
      assert.deepEqual(job(cfg, 'vmc').static_configs?.[0]?.targets, [address?.replacement], 'probes and /metrics go to the same exporter');
    });
  }

  test('sharded.yml keeps its share with hashmod before the target moves, for shard i of M', () => {
    const cfg = load('prometheus/sharded.yml');
    const steps = job(cfg, 'vmc-probe').relabel_configs ?? [];
    assert.deepEqual(steps[0], { source_labels: ['__address__'], modulus: 2, target_label: '__tmp_shard', action: 'hashmod' });
    assert.deepEqual(steps[1], { source_labels: ['__tmp_shard'], regex: '0', action: 'keep' });
    assert.equal(cfg.global.external_labels?.['shard'], '0');
    const third = shardConfig(cfg, { shard: 2, shards: 3, exporter: 'vmc-exporter-2.vmc-exporter:10040' });
    const thirdSteps = job(third, 'vmc-probe').relabel_configs ?? [];
    assert.equal(thirdSteps[0]?.modulus, 3);
    assert.equal(thirdSteps[1]?.regex, '2');
    assert.equal(third.global.external_labels?.['shard'], '2');
    assert.deepEqual(job(third, 'vmc').static_configs?.[0]?.targets, ['vmc-exporter-2.vmc-exporter:10040']);
  });

  test('vmc-orgs.yml is a file_sd list of org ids', () => {
    const groups = readRepoYaml<Array<{ targets: string[]; labels?: Record<string, string> }>>('prometheus/vmc-orgs.yml');
    assert.ok(groups.length > 0);
    for (const g of groups) {
      assert.ok(g.targets.length > 0);
      for (const target of g.targets) assert.ok(isOrgId(target), target);
    }
  });
});
