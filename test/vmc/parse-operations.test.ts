/**
 * The pure parsers of the operational endpoints, on composed payloads shaped like the
 * reference (vmc-api-operator-endpoints.md §3–8): odd and missing values included.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MalformedResponseError } from '../../src/lib/errors.js';
import { parseSddcConnections } from '../../src/vmc/parse-aws-link.js';
import { parseEdrsPolicies } from '../../src/vmc/parse-edrs.js';
import { parseReservations } from '../../src/vmc/parse-reservations.js';
import { parseSubscriptions } from '../../src/vmc/parse-subscriptions.js';
import { parseTaskList, summarizeTasks, taskFilter } from '../../src/vmc/parse-tasks.js';

const H = 3600;

describe('parseReservations', () => {
  it('reads windows of the map by SDDC: start = start_date + start_hour (UTC), end = start + duration_hours', () => {
    const list = parseReservations({
      s1: [
        { reserve_id: 'r1', sddc_id: 's1', reservation_state: 'SCHEDULED', start_date: '2025-11-09', start_hour: 4, duration_hours: 8, emergency: false, maintenance_properties: { status: 'NOT_STARTED' } },
        { reserve_id: 'r2', reservation_state: 'RUNNING', start_date: '2025-11-01T22:00:00Z', start_hour: 4, duration_hours: 2, emergency: true },
      ],
    });
    assert.deepEqual(list.windows, [
      { windowId: 'r1', sddcId: 's1', state: 'SCHEDULED', emergency: false, startSeconds: Date.UTC(2025, 10, 9, 4) / 1000, endSeconds: Date.UTC(2025, 10, 9, 12) / 1000 },
      { windowId: 'r2', sddcId: 's1', state: 'RUNNING', emergency: true, startSeconds: Date.UTC(2025, 10, 1, 22) / 1000, endSeconds: Date.UTC(2025, 10, 2) / 1000 },
    ]);
    assert.deepEqual(list.problems, []);
  });

  it('accepts a bare array; missing hour, duration or state give no start, no end, an empty state', () => {
    const list = parseReservations([
      { reserve_id: 'a', sddc_id: 's', start_date: '2025-11-09' },
      { reserve_id: 'b', sddc_id: 's', start_date: '2025-11-09', start_hour: 30, duration_hours: 2 },
      { reserve_id: 'c', sddc_id: 's', start_date: '2025-11-09', start_hour: 0 },
    ]);
    assert.deepEqual(
      list.windows.map((w) => [w.windowId, w.state, w.startSeconds, w.endSeconds]),
      [
        ['a', '', undefined, undefined],
        ['b', '', undefined, undefined],
        ['c', '', Date.UTC(2025, 10, 9) / 1000, undefined],
      ],
    );
    assert.equal(list.problems.length, 2, list.problems.join(' | '));
  });

  it('skips entries without reserve_id, keeps a repeated one once, reports unreadable dates (ids only)', () => {
    const list = parseReservations({ s1: [null, { sddc_id: 's1' }, { reserve_id: 'r', start_date: 'Sunday 4am', start_hour: 4 }, { reserve_id: 'r' }], s2: 'x' });
    assert.deepEqual(list.windows.map((w) => w.windowId), ['r']);
    assert.deepEqual(list.problems, [
      'a reservation without reserve_id was skipped',
      'a reservation without reserve_id was skipped',
      'reservation "r": start_date or start_hour cannot be read; no start or end series',
      'reservation "r" appears more than once; kept the first entry',
      'reservations of "s2" are string, not an array; skipped',
    ]);
    assert.ok(!list.problems.join().includes('Sunday'));
  });

  it('throws MalformedResponseError for a body that is neither object nor array', () => {
    assert.throws(() => parseReservations('x'), MalformedResponseError);
    assert.throws(() => parseReservations(null), MalformedResponseError);
  });
});

describe('parseTaskList and summarizeTasks', () => {
  const now = Date.UTC(2025, 9, 2, 18) / 1000;
  const iso = (s: number) => new Date(s * 1000).toISOString();
  const tasks = parseTaskList([
    { id: 't1', status: 'FAILED', task_type: 'CLUSTER-ADD-HOSTS', resource_id: 's1', created: iso(now - 2 * H), end_time: iso(now - H / 2), progress_percent: 60, error_message: 'secret host name', user_name: 'ops@example.com', params: { x: 1 } },
    { id: 't2', status: 'STARTED', task_type: 'CLUSTER-ADD-HOSTS', resource_id: 's2', created: iso(now - 30 * H), start_time: iso(now - 30 * H + 5), progress_percent: 140 },
    { id: 't3', status: 'FINISHED', task_type: 'SDDC-DELETE', created: iso(now - 3 * H), updated: iso(now - 2 * H) },
    { id: 't4', status: 'FINISHED', task_type: 'SDDC-DELETE', created: iso(now - 40 * H) },
    { id: 't5', status: 'FAILED', task_type: 'CLUSTER-ADD-HOSTS', created: iso(now - 5 * H), updated: iso(now - 4 * H) },
    { id: 't6', task_type: 'ODD', created: iso(now - H), progress_percent: -5 },
    { id: 't7', status: 'CANCELING', task_type: 'SDDC-DELETE', resource_id: 's3', created: '2025-10-02T17:00:00' },
    { id: 't1', status: 'FINISHED' },
    { status: 'FINISHED' },
    'x',
  ]);

  it('keeps each id once and no free text', () => {
    assert.deepEqual(tasks.map((t) => t.id), ['t1', 't2', 't3', 't4', 't5', 't6', 't7']);
    assert.doesNotMatch(JSON.stringify(tasks), /secret host|ops@example/);
    assert.equal(tasks[1]!.progressRatio, 1, 'clamped to 1');
    assert.equal(tasks[5]!.progressRatio, 0, 'clamped to 0');
    assert.equal(tasks[6]!.createdSeconds, Date.UTC(2025, 9, 2, 17) / 1000, 'a time without a zone is UTC');
  });

  it('counts the window (created in it, or running however old), every known status per type, UNKNOWN for a missing one', () => {
    const sum = summarizeTasks(tasks, now - 24 * H);
    assert.deepEqual(
      [...sum.counts].map(([type, m]) => [type, Object.fromEntries(m)]),
      [
        ['CLUSTER-ADD-HOSTS', { STARTED: 1, CANCELING: 0, FINISHED: 0, FAILED: 2, CANCELED: 0 }],
        ['ODD', { STARTED: 0, CANCELING: 0, FINISHED: 0, FAILED: 0, CANCELED: 0, UNKNOWN: 1 }],
        ['SDDC-DELETE', { STARTED: 0, CANCELING: 1, FINISHED: 1, FAILED: 0, CANCELED: 0 }],
      ],
    );
    assert.deepEqual(sum.running.map((t) => [t.id, t.startSeconds]), [
      ['t2', now - 30 * H + 5],
      ['t7', Date.UTC(2025, 9, 2, 17) / 1000],
    ]);
    assert.deepEqual(Object.fromEntries(sum.lastFailure), { 'CLUSTER-ADD-HOSTS': now - H / 2 });
  });

  it('the filter asks for the window or unfinished tasks, in the documented grammar', () => {
    assert.equal(taskFilter(Date.UTC(2025, 9, 1)), "(created gt 2025-10-01T00:00:00.000Z) or (status eq 'STARTED') or (status eq 'CANCELING')");
  });

  it('throws MalformedResponseError for a body that is not an array', () => {
    assert.throws(() => parseTaskList({ tasks: [] }), MalformedResponseError);
  });
});

describe('parseSubscriptions', () => {
  it('reads every string field; quantity as an integer; end_date in any of the accepted forms', () => {
    const list = parseSubscriptions([
      { csp_subscription_id: 'b', status: 'ACTIVATED', offer_type: 'TERM', offer_name: 'i4i 1 Year', region: 'EU_CENTRAL_1', quantity: '3', commitment_term: '12', commitment_term_uom: 'MONTHS', billing_frequency: 'Upfront', end_date: '2026-01-14T23:59:59Z' },
      { csp_subscription_id: 'a', status: 'UKNOWN', offer_type: 'TERM', quantity: ' 12 ', end_date: '2026-01-14' },
      { csp_subscription_id: 'c', offer_type: 'TERM', end_date: '1767225600000', commitment_term: 36 },
      { csp_subscription_id: 'd', offer_type: 'ON_DEMAND', quantity: '1' },
    ]);
    assert.deepEqual(list.subscriptions.map((s) => [s.id, s.status, s.hosts, s.endSeconds, s.commitmentTerm]), [
      ['a', 'UKNOWN', 12, Date.UTC(2026, 0, 14) / 1000, ''],
      ['b', 'ACTIVATED', 3, Date.UTC(2026, 0, 14, 23, 59, 59) / 1000, '12'],
      ['c', '', undefined, 1767225600, '36'],
      ['d', '', 1, undefined, ''],
    ]);
    assert.deepEqual(list.problems, []);
  });

  it('an unreadable date or quantity: no series for it, one problem naming the id only', () => {
    const list = parseSubscriptions([
      { csp_subscription_id: 's1', end_date: '14/01/2026', quantity: 'three' },
      { csp_subscription_id: 's1' },
      { status: 'ACTIVATED' },
    ]);
    assert.deepEqual(list.subscriptions.map((s) => [s.endSeconds, s.hosts]), [[undefined, undefined]]);
    assert.deepEqual(list.problems, [
      'subscription "s1": end_date is in a format the exporter cannot read; no end series',
      'subscription "s1": quantity is not an integer; no hosts series',
      'subscription "s1" appears more than once; kept the first entry',
      'a subscription without csp_subscription_id was skipped',
    ]);
    assert.doesNotMatch(list.problems.join(), /14\/01|three/);
  });

  it('throws MalformedResponseError for a body that is not an array', () => {
    assert.throws(() => parseSubscriptions({}), MalformedResponseError);
  });
});

describe('parseEdrsPolicies', () => {
  it('reads each cluster once: enabled, min, max, policy type, status key', () => {
    assert.deepEqual(
      parseEdrsPolicies([
        { cluster_id: 'c2', edrs_policy: { enable_edrs: false, policy_type: 'cost', min_hosts: 2, max_hosts: 8 } },
        { cluster_id: 'c1', edrs_policy: { enable_edrs: true, policy_type: 'rapid-scaleup', min_hosts: 3, max_hosts: 16, edrs_policy_options_overrides: { scale_up_host_increment: 2 } }, status_key: 'skyscraper.autoscaler.elastic.drs.max.hosts', status_message: 'at max' },
        { cluster_id: 'c3' },
        { cluster_id: 'c1', edrs_policy: { enable_edrs: false } },
        { edrs_policy: {} },
      ]),
      [
        { clusterId: 'c1', enabled: true, minHosts: 3, maxHosts: 16, policyType: 'rapid-scaleup', statusKey: 'skyscraper.autoscaler.elastic.drs.max.hosts' },
        { clusterId: 'c2', enabled: false, minHosts: 2, maxHosts: 8, policyType: 'cost', statusKey: '' },
        { clusterId: 'c3', enabled: undefined, minHosts: undefined, maxHosts: undefined, policyType: '', statusKey: '' },
      ],
    );
    assert.throws(() => parseEdrsPolicies({ cluster_id: 'c1' }), MalformedResponseError);
  });
});

describe('parseSddcConnections', () => {
  it('reads id, SDDC and state of each connection once, deleted ones kept', () => {
    assert.deepEqual(
      parseSddcConnections([
        { id: 'l2', state: 'BROKEN', sddc_id: 's1', policy_external_id: 'sensitive' },
        { id: 'l1', state: 'ACTIVE', sddc_id: 's1' },
        { id: 'l3', state: 'DELETED', sddc_id: 's0' },
        { id: 'l4' },
        { id: 'l1', state: 'BROKEN' },
        { state: 'ACTIVE' },
      ]),
      [
        { id: 'l4', sddcId: '', state: '' },
        { id: 'l3', sddcId: 's0', state: 'DELETED' },
        { id: 'l1', sddcId: 's1', state: 'ACTIVE' },
        { id: 'l2', sddcId: 's1', state: 'BROKEN' },
      ],
    );
    assert.throws(() => parseSddcConnections(null), MalformedResponseError);
  });
});
