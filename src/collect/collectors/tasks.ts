/**
 * The `tasks` collector: the org's VMC tasks (host additions, cluster and SDDC operations)
 * from `GET /vmc/api/orgs/{org}/tasks`, always with a `$filter` (created within
 * `--collector.tasks.window`, or not finished however old), once per org per TTL. A 400 to
 * the filter fails the collection with a log line saying so; the exporter never falls back
 * to the unfiltered list, which grows with the org's whole history.
 */
import { durationValue } from '../../config/values.js';
import { escapeLabel, formatValue, type Family } from '../../lib/text-format.js';
import { UpstreamError } from '../../upstream/errors.js';
import { parseTaskList, summarizeTasks, taskFilter, type Task, type TaskSummary } from '../../vmc/parse-tasks.js';
import { defineCollector } from '../collector.js';
import { cachedFor } from './cached.js';

const FAMILIES = [
  {
    name: 'vmc_tasks',
    type: 'gauge',
    help: 'Tasks per task_type and status: created within --collector.tasks.window, or still running; every known status for each type seen.' + cachedFor('tasks'),
  },
  { name: 'vmc_task_start_timestamp_seconds', type: 'gauge', help: 'Unix time a running task (STARTED, CANCELING) started (start_time, else created).' + cachedFor('tasks') },
  { name: 'vmc_task_progress_ratio', type: 'gauge', help: 'Progress of a running task, 0 to 1 (progress_percent / 100, estimated by VMC).' + cachedFor('tasks') },
  {
    name: 'vmc_task_last_failure_timestamp_seconds',
    type: 'gauge',
    help: 'Unix time the last FAILED task of each task_type in the window ended (end_time, else updated).' + cachedFor('tasks'),
  },
] as const satisfies readonly Family[];

/** The task collector. */
export const tasksCollector = defineCollector<TaskSummary>({
  name: 'tasks',
  help: 'Tasks of each org, filtered to a window (GET /vmc/api/orgs/{org}/tasks?$filter=…).',
  defaultEnabled: true,
  defaultTtl: '5m',
  flags: [
    {
      name: 'collector.tasks.window',
      kind: 'string',
      placeholder: 'DURATION',
      default: '24h',
      help: 'Tasks created within this window are counted (running tasks always are); greater than 0.',
      parse: (t, f) => durationValue(t, f, 'positive'),
      field: 'windowSeconds',
    },
  ],
  families: FAMILIES,
  forbiddenHint: 'the VMware Cloud on AWS service role (Administrator (Delete Restricted)) in this org',
  fetch: async (ctx) => {
    const windowStartMs = ctx.now() - (ctx.options['windowSeconds'] as number) * 1000;
    const filter = taskFilter(windowStartMs);
    try {
      const tasks = await ctx.vmc.call(
        { endpoint: 'tasks', path: `/vmc/api/orgs/${encodeURIComponent(ctx.orgId)}/tasks?%24filter=${encodeURIComponent(filter)}`, parse: parseTaskList },
        ctx.tokens,
      );
      return summarizeTasks(tasks, windowStartMs / 1000);
    } catch (err) {
      if (err instanceof UpstreamError && err.failure === 'http' && err.status === 400) {
        throw new UpstreamError(
          'http',
          `VMC rejected the task filter (HTTP 400${err.upstreamMessage ? `: ${err.upstreamMessage}` : ''}); tasks are not collected, and the unfiltered list is never asked for instead`,
          { status: 400, ...(err.upstreamCode ? { upstreamCode: err.upstreamCode } : {}), cause: err },
        );
      }
      throw err;
    }
  },
  render: (data, { org, out }) => {
    const [tasks, start, progress, failure] = out as [string[], string[], string[], string[]];
    for (const [type, byStatus] of data.counts) {
      const prefix = `vmc_tasks{${org},task_type="${escapeLabel(type)}",status="`;
      for (const [status, n] of byStatus) tasks.push(`${prefix}${escapeLabel(status)}"} ${n}\n`);
    }
    for (const t of data.running) {
      const labels = taskLabels(org, t);
      if (t.startSeconds !== undefined) start.push(`vmc_task_start_timestamp_seconds{${labels}} ${formatValue(t.startSeconds)}\n`);
      if (t.progressRatio !== undefined) progress.push(`vmc_task_progress_ratio{${labels}} ${formatValue(t.progressRatio)}\n`);
    }
    for (const [type, at] of [...data.lastFailure].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      failure.push(`vmc_task_last_failure_timestamp_seconds{${org},task_type="${escapeLabel(type)}"} ${formatValue(at)}\n`);
    }
  },
});

function taskLabels(org: string, t: Task): string {
  return `${org},task_id="${escapeLabel(t.id)}",task_type="${escapeLabel(t.type)}",resource_id="${escapeLabel(t.resourceId)}"`;
}
