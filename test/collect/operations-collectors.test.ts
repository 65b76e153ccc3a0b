/**
 * The operational collectors (maintenance, tasks, subscriptions, edrs, aws_link, api_token)
 * against the simulator's demo estate: what they export, one call per collector per org per
 * TTL (EDRS: one per SDDC) however many scrapes, and what a 403, a 404 that means "none" and
 * a rejected task filter do.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEMO, DEMO_SIGNALS } from '../../sim/src/demo-estate.js';
import { startHarness, type Harness } from '../helpers/exporter-harness.js';
import { promtoolCheckMetrics } from '../helpers/promtool.js';
import { requireTools } from '../ops/lib/tools.js';

const { prod, dev } = DEMO.orgs;
const MIN = 60_000;
const DAY = 86_400_000;

/** The per-org call counters of the operational endpoints. */
function calls(h: Harness) {
  const s = h.sim.stats;
  return {
    maintenance: { ...s.maintenanceRequests },
    tasks: { ...s.taskRequests },
    subscriptions: { ...s.subscriptionRequests },
    awsLink: { ...s.awsLinkRequests },
    edrs: { ...s.edrsRequests },
  };
}

/** SDDCs of the demo that get an EDRS call: clusters, not being deleted. */
const EDRS_SDDCS = [
  `${prod}/${DEMO.sddcs.prod01}`,
  `${prod}/${DEMO.sddcs.prod02}`,
  `${prod}/${DEMO.sddcs.prod03}`,
  `${dev}/${DEMO.sddcs.dev01}`,
  `${dev}/${DEMO.sddcs.devDeploying}`,
  `${dev}/${DEMO.sddcs.devFailed}`,
  `${dev}/${DEMO.sddcs.devGlcm}`,
];
const perSddc = (n: number) => Object.fromEntries(EDRS_SDDCS.map((k) => [k, n]));

describe('operational collectors', () => {
  test('one call per collector per org per TTL (EDRS one per SDDC), however many scrapes', async () => {
    const h = await startHarness({ orgs: [prod, dev] });
    try {
      for (let i = 0; i < 5; i++) await h.scrape();
      const one = { [prod]: 1, [dev]: 1 };
      assert.deepEqual(calls(h), { maintenance: one, tasks: one, subscriptions: one, awsLink: one, edrs: perSddc(1) });
      h.clock.advance(5 * MIN);
      await h.scrape();
      await h.scrape();
      const two = { [prod]: 2, [dev]: 2 };
      assert.deepEqual(calls(h), { maintenance: one, tasks: two, subscriptions: one, awsLink: one, edrs: perSddc(1) }, 'tasks every 5 minutes');
      h.clock.advance(10 * MIN);
      await h.scrape();
      await h.scrape();
      const three = { [prod]: 3, [dev]: 3 };
      assert.deepEqual(calls(h), { maintenance: two, tasks: three, subscriptions: one, awsLink: two, edrs: perSddc(2) }, 'maintenance, AWS link and EDRS every 15 minutes');
      h.clock.advance(45 * MIN);
      await h.scrape();
      assert.deepEqual(calls(h).subscriptions, two, 'subscriptions hourly');
      for (const name of ['maintenance', 'tasks', 'subscriptions', 'edrs', 'aws_link']) {
        for (const org of [prod, dev]) assert.equal((await h.scrape()).value('vmc_collector_success', { org_id: org, collector: name }), 1, `${name} ${org}`);
      }
      const s = await h.scrape();
      for (const endpoint of ['maintenance', 'tasks', 'subscriptions', 'edrs', 'aws-link']) {
        assert.ok((s.value('vmc_api_requests_total', { endpoint, code: '200' }) ?? 0) > 0, `vmc_api_requests_total{endpoint="${endpoint}"}`);
      }
      assert.ok((s.value('vmc_api_requests_total', { endpoint: 'edrs', code: '400' }) ?? 0) === 0, 'no 1-node SDDC in these orgs');
    } finally {
      await h.close();
    }
  });

  test('the demo signals: windows, a failed and a long-running task, a subscription ending soon, EDRS at max, a broken connection', async () => {
    const h = await startHarness({ orgs: [prod, dev, DEMO.orgs.lab] });
    try {
      const s = await h.scrape();
      const now = h.clock.now();
      const soon = s.value('vmc_sddc_maintenance_window_start_timestamp_seconds', { org_id: prod, sddc_id: DEMO.sddcs.prod01, window_id: DEMO_SIGNALS.windowIn3Days, state: 'SCHEDULED', emergency: 'false' });
      assert.ok(soon !== undefined && Math.abs(soon * 1000 - (now + 3 * DAY)) <= 3_600_000, 'a window in 3 days');
      assert.equal(
        (s.value('vmc_sddc_maintenance_window_end_timestamp_seconds', { window_id: DEMO_SIGNALS.windowIn3Days }) ?? 0) - soon,
        8 * 3600,
      );
      assert.equal(s.value('vmc_sddc_in_maintenance_window', { org_id: prod, sddc_id: DEMO.sddcs.prod03 }), 1, 'a running window');
      assert.equal(s.value('vmc_sddc_in_maintenance_window', { org_id: prod, sddc_id: DEMO.sddcs.prod02 }), 0, 'a COMPLETED window is not running');
      assert.equal(s.all('vmc_sddc_maintenance_window_start_timestamp_seconds', { sddc_id: DEMO.sddcs.prod02 }).length, 0, 'COMPLETED windows are left out');
      assert.equal(s.value('vmc_sddc_in_maintenance_window', { org_id: DEMO.orgs.lab, sddc_id: DEMO.sddcs.lab1node }), 0, 'every listed SDDC has the 0/1 series');

      assert.equal(s.value('vmc_tasks', { org_id: prod, task_type: 'CLUSTER-ADD-HOSTS', status: 'FAILED' }), 1);
      assert.equal(s.value('vmc_tasks', { org_id: prod, task_type: 'CLUSTER-ADD-HOSTS', status: 'CANCELING' }), 0, 'every known status');
      assert.equal(s.value('vmc_tasks', { org_id: prod, task_type: 'CLUSTER-CREATE' }), undefined, 'a task older than the window is not counted');
      const failedAt = s.value('vmc_task_last_failure_timestamp_seconds', { org_id: prod, task_type: 'CLUSTER-ADD-HOSTS' });
      assert.ok(failedAt !== undefined && Math.abs(failedAt * 1000 - (now - 30 * MIN)) < 5000);
      const long = { org_id: dev, task_id: DEMO_SIGNALS.hostAddTooLong, task_type: 'CLUSTER-ADD-HOSTS', resource_id: DEMO.sddcs.dev01 };
      assert.ok(now / 1000 - (s.value('vmc_task_start_timestamp_seconds', long) ?? now / 1000) > 8.9 * 3600, 'running for 9 hours');
      assert.equal(s.value('vmc_task_progress_ratio', long), 0.4);

      const end = s.value('vmc_subscription_end_timestamp_seconds', { org_id: prod, subscription_id: DEMO_SIGNALS.subscriptionIn20Days, region: 'US_WEST_2', offer_type: 'TERM' });
      assert.ok(end !== undefined && Math.abs(end * 1000 - (now + 20 * DAY)) < 5000);
      assert.equal(s.value('vmc_subscription_hosts', { subscription_id: DEMO_SIGNALS.subscriptionIn20Days }), 3);
      assert.equal(s.all('vmc_subscription_end_timestamp_seconds', { offer_type: 'ON_DEMAND' }).length, 0, 'on-demand subscriptions have no end');
      assert.equal(s.all('vmc_subscription_hosts', { offer_type: 'ON_DEMAND' }).length, 2);
      assert.equal(s.value('vmc_subscription_info', { subscription_id: DEMO_SIGNALS.subscriptionIn20Days, commitment_term: '12', commitment_term_uom: 'MONTHS', billing_frequency: 'Upfront', status: 'ACTIVATED' }), 1);
      assert.ok(Math.abs((s.value('vmc_subscription_end_timestamp_seconds', { org_id: dev }) ?? 0) * 1000 - (now + 200 * DAY)) < 5000, 'epoch milliseconds as a string');

      const c1 = { org_id: prod, sddc_id: DEMO.sddcs.prod01, cluster_id: 'c1c00000-0001-4000-8000-000000000001' };
      assert.equal(s.value('vmc_cluster_edrs_max_hosts', c1), 3);
      assert.equal(s.value('vmc_cluster_hosts', c1), 3, 'at its maximum');
      assert.equal(s.value('vmc_cluster_edrs_status', { ...c1, status_key: 'skyscraper.autoscaler.elastic.drs.max.hosts' }), 1);
      assert.equal(s.value('vmc_cluster_edrs_policy_info', { ...c1, policy_type: 'performance' }), 1);
      assert.equal(s.value('vmc_cluster_edrs_enabled', { ...c1 }), 1);
      assert.equal(s.all('vmc_cluster_edrs_enabled', { sddc_id: DEMO.sddcs.lab1node }).length, 0, 'EDRS does not apply to a 1-node SDDC (400)');
      assert.equal(s.value('vmc_collector_success', { org_id: DEMO.orgs.lab, collector: 'edrs' }), 1, 'and that is no failure');

      assert.equal(s.value('vmc_sddc_aws_connection_state', { org_id: prod, sddc_id: DEMO.sddcs.prod02, connection_id: DEMO_SIGNALS.brokenConnection, state: 'BROKEN' }), 1);
      assert.equal(s.value('vmc_sddc_aws_connection_state', { connection_id: DEMO_SIGNALS.brokenConnection, state: 'ACTIVE' }), 0);
      assert.equal(s.all('vmc_sddc_aws_connection_state', { connection_id: 'link-0000-0004' }).length, 0, 'DELETED connections are left out');
      assert.equal(s.all('vmc_collector_success', { collector: 'api_token' }).length, 0, 'no API-token collector with an OAuth app');
    } finally {
      await h.close();
    }
  });

  for (const [collector, endpoint] of [
    ['maintenance', 'maintenance'],
    ['tasks', 'tasks'],
    ['subscriptions', 'subscriptions'],
    ['edrs', 'edrs'],
    ['aws_link', 'aws-link'],
  ] as const) {
    test(`${collector}: a 403 sets vmc_collector_success 0 for that org only, logs the likely role and the flag once, waits for the TTL`, async () => {
      const h = await startHarness({ orgs: [prod, dev] });
      try {
        h.sim.addFault({ endpoint, org: prod, status: 403 });
        const s = await h.scrape();
        assert.equal(s.value('vmc_collector_success', { org_id: prod, collector }), 0);
        assert.equal(s.value('vmc_collector_success', { org_id: dev, collector }), 1);
        assert.equal(s.value('vmc_up', { org_id: prod }), 1);
        for (const other of ['sddcs', 'orgs', 'maintenance', 'tasks', 'subscriptions', 'edrs', 'aws_link'].filter((c) => c !== collector)) {
          assert.equal(s.value('vmc_collector_success', { org_id: prod, collector: other }), 1, other);
        }
        const before = JSON.stringify(calls(h));
        await h.scrape();
        await h.scrape();
        assert.equal(JSON.stringify(calls(h)), before, 'no call again before the TTL');
        const warns = h.problems().filter((l) => l['collector'] === collector);
        assert.equal(warns.length, 1);
        assert.equal(warns[0]?.['org_id'], prod);
        assert.match(String(warns[0]?.['hint']), new RegExp(`credentials likely lack .+; fix the role, or turn the collector off with --no-collector\\.${collector}$`));
      } finally {
        await h.close();
      }
    });
  }

  test('tasks: a 400 to the filter fails the collector with a clear log line, and no unfiltered list is asked for', async () => {
    const h = await startHarness({ orgs: [prod] });
    try {
      h.sim.addFault({ endpoint: 'tasks', status: 400 });
      const s = await h.scrape();
      assert.equal(s.value('vmc_collector_success', { org_id: prod, collector: 'tasks' }), 0);
      assert.equal(s.all('vmc_tasks').length, 0);
      await h.scrape();
      assert.deepEqual(h.sim.stats.taskRequests, { [prod]: 1 }, 'one call, no second (unfiltered) one');
      const warn = h.problems().find((l) => l['collector'] === 'tasks');
      assert.match(String((warn?.['err'] as { message?: string })?.message), /VMC rejected the task filter \(HTTP 400.*\); tasks are not collected, and the unfiltered list is never asked for instead/);
    } finally {
      await h.close();
    }
  });

  test('maintenance: a 404 means no reservations: success, no windows, every SDDC out of maintenance', async () => {
    const h = await startHarness({ orgs: [prod] });
    try {
      h.sim.addFault({ endpoint: 'maintenance', status: 404 });
      const s = await h.scrape();
      assert.equal(s.value('vmc_collector_success', { org_id: prod, collector: 'maintenance' }), 1);
      assert.equal(s.all('vmc_sddc_maintenance_window_start_timestamp_seconds').length, 0);
      assert.deepEqual(s.all('vmc_sddc_in_maintenance_window').map((x) => x.value), [0, 0, 0]);
    } finally {
      await h.close();
    }
  });

  test('a 429 with Retry-After: the collector waits that long, the others go on', async () => {
    const h = await startHarness({ orgs: [prod] });
    try {
      h.sim.addFault({ endpoint: 'subscriptions', status: 429, headers: { 'Retry-After': '120' } });
      await h.scrape();
      const n = h.sim.stats.subscriptionRequests[prod];
      assert.ok(n !== undefined && n >= 1);
      h.sim.clearFaults();
      await h.scrape();
      assert.equal(h.sim.stats.subscriptionRequests[prod], n, 'not before Retry-After');
      h.clock.advance(121_000);
      const s = await h.scrape();
      assert.equal(s.value('vmc_collector_success', { org_id: prod, collector: 'subscriptions' }), 1);
    } finally {
      await h.close();
    }
  });

  for (const unit of ['seconds', 'milliseconds'] as const) {
    test(`api_token: the API token's expiry (expiresAt in ${unit}), hourly, exporter-wide`, async () => {
      const expiresAtMs = Date.UTC(2027, 2, 4, 5, 6, 7);
      const h = await startHarness({ orgs: [], auth: 'api-token-env', sim: { apiTokenDetails: { expiresAtMs, unit } } });
      try {
        for (let i = 0; i < 3; i++) {
          const s = await h.scrape();
          assert.equal(s.value('vmc_api_token_expiry_timestamp_seconds', { org_id: '' }), Math.floor(expiresAtMs / 1000));
          assert.equal(s.value('vmc_collector_success', { org_id: '', collector: 'api_token' }), 1);
        }
        assert.equal(h.sim.stats.apiTokenDetailsRequests, 1);
        h.clock.advance(60 * MIN);
        const s = await h.scrape();
        assert.equal(h.sim.stats.apiTokenDetailsRequests, 2);
        assert.ok((s.value('vmc_api_requests_total', { endpoint: 'api-token-details', code: '200' }) ?? 0) >= 2);
      } finally {
        await h.close();
      }
    });
  }

  test('promtool check metrics is clean with every collector on (API token: the api_token collector too)', async (t) => {
    const tools = requireTools(t, 'promtool');
    if (!tools) return;
    for (const opts of [{ orgs: [prod, dev, DEMO.orgs.lab] }, { orgs: [], auth: 'api-token-env' as const }]) {
      const h = await startHarness(opts);
      try {
        const s = await h.scrape();
        const collectors = new Set(s.all('vmc_collector_success').map((x) => x.labels['collector']));
        assert.equal(collectors.has('api_token'), opts.auth === 'api-token-env');
        assert.equal(collectors.size, opts.auth === 'api-token-env' ? 8 : 7);
        const r = promtoolCheckMetrics(tools['promtool']!, s.body);
        assert.equal(r.status, 0, r.output);
        assert.equal(r.output.trim(), '', r.output);
      } finally {
        await h.close();
      }
    }
  });
});
