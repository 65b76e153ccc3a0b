/**
 * Pure parsing of `GET /vmc/api/orgs/{org}/tasks` and the summary the `tasks` collector
 * exports, plus the `$filter` it sends. No I/O, no payload text (error messages, user
 * names, `params`) in the result.
 */
import { MalformedResponseError } from '../lib/errors.js';
import { asObject, jsonTypeName, type JsonObject } from '../lib/json.js';

/** `Task.status` values. */
export const TASK_STATUSES = ['STARTED', 'CANCELING', 'FINISHED', 'FAILED', 'CANCELED'] as const;

/** Statuses of a task that has not finished. */
export const RUNNING_STATUSES: readonly string[] = ['STARTED', 'CANCELING'];

/** One task, reduced to what becomes metrics. */
export interface Task {
  /** `id`. */
  readonly id: string;
  /** `task_type` (`''` when missing). */
  readonly type: string;
  /** `status`, passed through (`''` when missing). */
  readonly status: string;
  /** `resource_id` (`''` when missing). */
  readonly resourceId: string;
  /** `created`, Unix seconds. */
  readonly createdSeconds: number | undefined;
  /** `start_time`, else `created`. */
  readonly startSeconds: number | undefined;
  /** `end_time`, else `updated`, for a task that has ended. */
  readonly endSeconds: number | undefined;
  /** `progress_percent` / 100, clamped to 0..1; undefined when missing. */
  readonly progressRatio: number | undefined;
}

/**
 * The `$filter` the collector sends: tasks created after `windowStartMs`, or not finished
 * (STARTED, CANCELING) however old.
 */
export function taskFilter(windowStartMs: number): string {
  return `(created gt ${new Date(windowStartMs).toISOString()}) or (status eq 'STARTED') or (status eq 'CANCELING')`;
}

/**
 * Parses the task list (already `JSON.parse`d): a bare array of `Task`. Entries that are
 * not objects or have no id are skipped, a repeated id keeps the first.
 *
 * @throws MalformedResponseError when the body is not an array
 */
export function parseTaskList(json: unknown): Task[] {
  if (!Array.isArray(json)) throw new MalformedResponseError(`expected a JSON array of tasks, got ${jsonTypeName(json)}`);
  const byId = new Map<string, Task>();
  for (const raw of json as unknown[]) {
    const t = asObject(raw);
    const id = t?.['id'];
    if (t === undefined || typeof id !== 'string' || id === '' || byId.has(id)) continue;
    byId.set(id, parseTask(id, t));
  }
  return [...byId.values()];
}

function parseTask(id: string, t: JsonObject): Task {
  const status = str(t['status']);
  const created = isoSeconds(t['created']);
  const ended = !RUNNING_STATUSES.includes(status) && status !== '';
  const progress = t['progress_percent'];
  return {
    id,
    type: str(t['task_type']),
    status,
    resourceId: str(t['resource_id']),
    createdSeconds: created,
    startSeconds: isoSeconds(t['start_time']) ?? created,
    endSeconds: ended ? (isoSeconds(t['end_time']) ?? isoSeconds(t['updated'])) : undefined,
    progressRatio: typeof progress === 'number' && Number.isFinite(progress) ? Math.min(1, Math.max(0, progress / 100)) : undefined,
  };
}

/** What the `tasks` collector exports for one org. */
export interface TaskSummary {
  /** Tasks per type and status: every known status for each type seen, plus unknown ones. */
  readonly counts: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** Tasks still running (STARTED, CANCELING), sorted by id. */
  readonly running: readonly Task[];
  /** Per type, the latest end of a FAILED task, Unix seconds. */
  readonly lastFailure: ReadonlyMap<string, number>;
}

/**
 * Summarizes the tasks of the window: those created at or after `windowStartSeconds` and
 * those still running however old (the list is filtered again here, so a server that
 * ignores part of the filter still gives the right figures).
 */
export function summarizeTasks(tasks: readonly Task[], windowStartSeconds: number): TaskSummary {
  const counts = new Map<string, Map<string, number>>();
  const running: Task[] = [];
  const lastFailure = new Map<string, number>();
  for (const t of tasks) {
    const isRunning = RUNNING_STATUSES.includes(t.status);
    if (!isRunning && !(t.createdSeconds !== undefined && t.createdSeconds >= windowStartSeconds)) continue;
    let byStatus = counts.get(t.type);
    if (byStatus === undefined) {
      byStatus = new Map(TASK_STATUSES.map((s) => [s, 0]));
      counts.set(t.type, byStatus);
    }
    const status = t.status === '' ? 'UNKNOWN' : t.status;
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    if (isRunning) running.push(t);
    if (t.status === 'FAILED') {
      const at = t.endSeconds ?? t.createdSeconds;
      if (at !== undefined && at > (lastFailure.get(t.type) ?? -Infinity)) lastFailure.set(t.type, at);
    }
  }
  running.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { counts: new Map([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), running, lastFailure };
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** An ISO date-time (a time without a zone is UTC) as Unix seconds. */
function isoSeconds(v: unknown): number | undefined {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(v)) return undefined;
  const ms = Date.parse(/[Zz]|[+-]\d{2}:?\d{2}$/.test(v) ? v : `${v}Z`);
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}
