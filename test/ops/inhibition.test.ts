/**
 * The inhibitions of alertmanager/alertmanager.yml, run by a real Alertmanager: alerts as the
 * single, probe, sharded and Kubernetes setups label them are posted to its API, and each one
 * must be muted exactly when an alert of its own target (exporter, org, shard, namespace)
 * inhibits it. Two exporters with one of them down are the central case: the healthy one's
 * alerts, for the same org too, stay active.
 *
 * Only the receivers differ from the shipped file (no webhooks: nothing is delivered); the
 * route and the inhibit rules are the shipped ones.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { childEnv, freePort, http, startProcess, stopProcess, waitFor, type Child as Proc } from '../helpers/processes.js';
import { loadAlertRules } from './lib/rules.js';
import { findOnPath, missingPrerequisites, readRepoYaml, skipOutsideCi } from './lib/tools.js';

type Labels = Record<string, string>;

/** One inhibiting alert, the alerts it must mute and those it must leave alone. */
interface InhibitionCase {
  readonly name: string;
  readonly source: Labels;
  readonly muted: readonly Labels[];
  readonly kept: readonly Labels[];
}

const vmc = (instance: string, more: Labels = {}): Labels => ({ job: 'vmc', instance, ...more });
const probe = (org: string, more: Labels = {}): Labels => ({ job: 'vmc-probe', instance: org, org_id: org, ...more });
const alert = (alertname: string, labels: Labels): Labels => ({ alertname, severity: 'warning', ...labels });

/**
 * Every case uses targets of its own (instance values), so no case's source can touch another
 * case's alerts.
 */
const CASES: readonly InhibitionCase[] = [
  {
    name: 'two exporters, one down: the down one mutes its own alerts, not the other exporter’s, also for an org both export',
    source: alert('VMCExporterDown', vmc('a:10040')),
    muted: [
      alert('VMCSDDCFailed', vmc('a:10040', { org_id: 'o1', sddc_id: 's1' })),
      alert('VMCDataStale', vmc('a:10040', { org_id: 'o1' })),
      alert('VMCTokenRefreshFailing', vmc('a:10040', { org_id: 'o1' })),
    ],
    kept: [
      alert('VMCSDDCFailed', vmc('b:10040', { org_id: 'o1', sddc_id: 's1' })),
      alert('VMCSDDCFailed', vmc('b:10040', { org_id: 'o2', sddc_id: 's2' })),
      alert('VMCExporterAbsent', { job: 'vmc' }),
    ],
  },
  {
    name: 'probes: an org whose probe fails mutes that org’s probe alerts only',
    source: alert('VMCExporterDown', { job: 'vmc-probe', instance: 'p1' }),
    muted: [alert('VMCApiDown', probe('p1')), alert('VMCSDDCFailed', probe('p1', { sddc_id: 's1' }))],
    kept: [alert('VMCApiDown', probe('p2')), alert('VMCTokenRefreshFailing', vmc('p:10040', { org_id: 'p1' }))],
  },
  {
    name: 'shards: the same exporter address on two shards (an exporter beside each Prometheus) stays apart',
    source: alert('VMCExporterDown', vmc('localhost:10040', { shard: '0' })),
    muted: [alert('VMCSDDCFailed', vmc('localhost:10040', { shard: '0', org_id: 'h1', sddc_id: 's1' }))],
    kept: [
      alert('VMCSDDCFailed', vmc('localhost:10040', { shard: '1', org_id: 'h2', sddc_id: 's2' })),
      alert('VMCSDDCFailed', vmc('localhost:10040', { org_id: 'h3', sddc_id: 's3' })),
    ],
  },
  {
    name: 'Kubernetes: one org probed from two namespaces, and from two Prometheus resources, stays apart',
    source: alert('VMCExporterDown', { job: 'vmc-probe', instance: 'k1', namespace: 'team-a', prometheus: 'monitoring/k8s' }),
    muted: [alert('VMCApiDown', probe('k1', { namespace: 'team-a', prometheus: 'monitoring/k8s' }))],
    kept: [
      alert('VMCApiDown', probe('k1', { namespace: 'team-b', prometheus: 'monitoring/k8s' })),
      alert('VMCApiDown', probe('k1', { namespace: 'team-a', prometheus: 'monitoring/other' })),
    ],
  },
  {
    name: 'stale data mutes the SDDC and API alerts of that org on that exporter only',
    source: alert('VMCDataStale', vmc('d:10040', { org_id: 'o4' })),
    muted: [alert('VMCSDDCFailed', vmc('d:10040', { org_id: 'o4', sddc_id: 's4' })), alert('VMCApiDown', vmc('d:10040', { org_id: 'o4' }))],
    kept: [
      alert('VMCSDDCFailed', vmc('e:10040', { org_id: 'o4', sddc_id: 's4' })),
      alert('VMCSDDCFailed', vmc('d:10040', { org_id: 'o5', sddc_id: 's5' })),
      alert('VMCSDDCFailed', vmc('d:10040', { org_id: 'o4', sddc_id: 's4', shard: '1' })),
    ],
  },
  {
    name: 'no data for the org list (org_id="") mutes the exporter’s unscoped token alert, not its orgs',
    source: alert('VMCNoData', vmc('f:10040')),
    muted: [alert('VMCTokenRefreshFailing', vmc('f:10040'))],
    kept: [alert('VMCTokenRefreshFailing', vmc('f:10040', { org_id: 'o6' })), alert('VMCTokenRefreshFailing', vmc('g:10040'))],
  },
  {
    name: 'a FAILED SDDC mutes its host and cluster alerts on the same exporter',
    source: alert('VMCSDDCFailed', vmc('h:10040', { org_id: 'o7', sddc_id: 's7' })),
    muted: [alert('VMCHostsNotReady', vmc('h:10040', { org_id: 'o7', sddc_id: 's7', state: 'FAILED' })), alert('VMCClusterFailed', vmc('h:10040', { org_id: 'o7', sddc_id: 's7', cluster_id: 'c1' }))],
    kept: [
      alert('VMCHostsNotReady', vmc('i:10040', { org_id: 'o7', sddc_id: 's7', state: 'FAILED' })),
      alert('VMCHostsNotReady', vmc('h:10040', { org_id: 'o7', sddc_id: 's8', state: 'FAILED' })),
      alert('VMCHostFailed', vmc('h:10040', { org_id: 'o7', sddc_id: 's7', host_id: 'e1' })),
    ],
  },
  {
    name: 'the 1-day expiry mutes the 7-day one of that SDDC',
    source: alert('VMCSDDCExpiryImminent', vmc('j:10040', { org_id: 'o8', sddc_id: 'n1' })),
    muted: [alert('VMCSDDCExpiringSoon', vmc('j:10040', { org_id: 'o8', sddc_id: 'n1' }))],
    kept: [alert('VMCSDDCExpiringSoon', vmc('j:10040', { org_id: 'o8', sddc_id: 'n2' })), alert('VMCSDDCExpiringSoon', vmc('k:10040', { org_id: 'o8', sddc_id: 'n1' }))],
  },
  {
    name: 'the 7-day subscription end mutes the 30-day one of that subscription',
    source: alert('VMCSubscriptionEndingImminent', vmc('l:10040', { org_id: 'o9', subscription_id: 'sub1' })),
    muted: [alert('VMCSubscriptionEndingSoon', vmc('l:10040', { org_id: 'o9', subscription_id: 'sub1' }))],
    kept: [
      alert('VMCSubscriptionEndingSoon', vmc('l:10040', { org_id: 'o9', subscription_id: 'sub2' })),
      alert('VMCSubscriptionEndingSoon', vmc('m:10040', { org_id: 'o9', subscription_id: 'sub1' })),
    ],
  },
];

interface AmAlert {
  labels: Labels;
  status: { state: string; inhibitedBy: string[] | null };
}

const key = (labels: Labels): string =>
  JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );

const missing = missingPrerequisites(['prometheus-alertmanager']);
const skip = skipOutsideCi(missing);

describe('the shipped inhibitions in a real Alertmanager', { skip, timeout: 60_000 }, () => {
  let proc: Proc | undefined;
  let dir = '';
  let amUrl = '';

  before(async () => {
    assert.equal(missing, undefined, `${missing} (required when CI=true)`);
    dir = mkdtempSync(join(tmpdir(), 'vmc-inhibit-'));
    const am = readRepoYaml<{ receivers: Array<Record<string, unknown>> }>('alertmanager/alertmanager.yml');
    am.receivers = am.receivers.map((r) => ({ name: r['name'] }));
    writeFileSync(join(dir, 'alertmanager.yml'), stringify(am));
    mkdirSync(join(dir, 'data'));
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    proc = startProcess(
      'alertmanager',
      findOnPath('prometheus-alertmanager')!,
      [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
      childEnv(),
    );
    await waitFor('Alertmanager to be ready', async () => ((await http(`${amUrl}/-/ready`)).status === 200 ? true : undefined), {
      timeoutMs: 20_000,
      context: () => proc!.output(),
    });
  });

  after(async () => {
    if (proc) await stopProcess(proc);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the cases name alerts that exist', () => {
    const names = new Set(loadAlertRules().map((r) => r.alert));
    for (const c of CASES) {
      for (const a of [c.source, ...c.muted, ...c.kept]) assert.ok(names.has(a['alertname']!), `${c.name}: no alert ${a['alertname']}`);
    }
  });

  test('each alert is muted exactly when an alert of its own target inhibits it', async () => {
    const startsAt = new Date().toISOString();
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    const all = CASES.flatMap((c) => [c.source, ...c.muted, ...c.kept]);
    assert.equal(new Set(all.map(key)).size, all.length, 'every alert of the cases is distinct');
    const posted = await http(`${amUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(all.map((labels) => ({ labels, startsAt, endsAt }))),
    });
    assert.equal(posted.status, 200, posted.text);

    const muted = new Set(CASES.flatMap((c) => c.muted.map(key)));
    // The inhibitor learns of the sources asynchronously: wait until all of them mute.
    const current = await waitFor(
      'the expected alerts to be inhibited',
      async () => {
        const list = JSON.parse((await http(`${amUrl}/api/v2/alerts`)).text) as AmAlert[];
        const byKey = new Map(list.map((a) => [key(a.labels), a]));
        if (byKey.size < all.length) return undefined;
        return [...muted].every((k) => byKey.get(k)?.status.state === 'suppressed') ? byKey : undefined;
      },
      { timeoutMs: 20_000, context: () => proc!.output() },
    );
    for (const c of CASES) {
      for (const labels of c.muted) {
        const a = current.get(key(labels))!;
        assert.equal(a.status.state, 'suppressed', `${c.name}: ${key(labels)} is muted`);
        assert.ok((a.status.inhibitedBy ?? []).length > 0, `${c.name}: ${key(labels)} is inhibited (not silenced)`);
      }
      for (const labels of [c.source, ...c.kept]) {
        const a = current.get(key(labels));
        assert.ok(a, `${c.name}: ${key(labels)} reached Alertmanager`);
        assert.deepEqual({ state: a.status.state, inhibitedBy: a.status.inhibitedBy ?? [] }, { state: 'active', inhibitedBy: [] }, `${c.name}: ${key(labels)} stays active`);
      }
    }
  });
});
