/**
 * Pure parsing of a `POST /vmc/api/orgs/{org}/tbrs/reservation` body (a read, despite the
 * method) into maintenance windows. No I/O, no payload text in errors or problems.
 *
 * Assumptions, for undocumented parts of the format: the answer is an object whose values
 * are arrays of `ReservationWindow` (its keys are not relied on: each window names its own
 * `sddc_id`, the key is used only when it does not); a bare array of windows is accepted
 * too. `start_date` is a calendar date (`yyyy-MM-dd`) and `start_hour` the hour of that day
 * in UTC; a `start_date` with a time of day (or epoch digits) is taken as the start itself.
 */
import { parseLenientDate } from '../lib/dates.js';
import { MalformedResponseError } from '../lib/errors.js';
import { asObject, jsonTypeName, type JsonObject } from '../lib/json.js';

/** `ReservationWindow.reservation_state` values. */
export const RESERVATION_STATES = ['SCHEDULED', 'RUNNING', 'CANCELED', 'COMPLETED', 'TERMINATED'] as const;

/** One maintenance window (reservation) of an SDDC. */
export interface MaintenanceWindow {
  /** `reserve_id`. */
  readonly windowId: string;
  /** `sddc_id` (else the key it was listed under). */
  readonly sddcId: string;
  /** `reservation_state`, passed through (`''` when missing). */
  readonly state: string;
  /** `emergency`; false when missing. */
  readonly emergency: boolean;
  /** Start as Unix seconds; undefined when the date or hour is missing or unreadable. */
  readonly startSeconds: number | undefined;
  /** Start + `duration_hours`; undefined without a start or a duration. */
  readonly endSeconds: number | undefined;
}

/** The windows of one org and the entries that were skipped or could not be read. */
export interface ReservationList {
  /** Windows, each `reserve_id` once, sorted by SDDC id then window id. */
  readonly windows: readonly MaintenanceWindow[];
  /** Messages safe to log (ids only). */
  readonly problems: readonly string[];
}

/**
 * Parses the reservation answer.
 *
 * @param json - the parsed body
 * @throws MalformedResponseError when it is neither an object nor an array
 */
export function parseReservations(json: unknown): ReservationList {
  const groups: Array<[string, unknown]> = [];
  if (Array.isArray(json)) groups.push(['', json]);
  else {
    const map = asObject(json);
    if (map === undefined) throw new MalformedResponseError(`expected a JSON object of reservations by SDDC, got ${jsonTypeName(json)}`);
    groups.push(...Object.entries(map));
  }
  const problems: string[] = [];
  const byId = new Map<string, MaintenanceWindow>();
  for (const [key, list] of groups) {
    if (!Array.isArray(list)) {
      problems.push(`reservations of ${JSON.stringify(key.slice(0, 100))} are ${jsonTypeName(list)}, not an array; skipped`);
      continue;
    }
    for (const raw of list as unknown[]) {
      const w = asObject(raw);
      const id = w?.['reserve_id'];
      if (w === undefined || typeof id !== 'string' || id === '') {
        problems.push('a reservation without reserve_id was skipped');
        continue;
      }
      if (byId.has(id)) {
        problems.push(`reservation ${JSON.stringify(id)} appears more than once; kept the first entry`);
        continue;
      }
      byId.set(id, parseWindow(id, key, w, problems));
    }
  }
  const windows = [...byId.values()].sort((a, b) => cmp(a.sddcId, b.sddcId) || cmp(a.windowId, b.windowId));
  return { windows, problems };
}

function parseWindow(id: string, key: string, w: JsonObject, problems: string[]): MaintenanceWindow {
  const sddc = w['sddc_id'];
  const state = w['reservation_state'];
  const start = windowStart(w['start_date'], w['start_hour']);
  if (start === undefined && w['start_date'] !== undefined && w['start_date'] !== null) {
    problems.push(`reservation ${JSON.stringify(id)}: start_date or start_hour cannot be read; no start or end series`);
  }
  const hours = w['duration_hours'];
  const end = start !== undefined && typeof hours === 'number' && Number.isFinite(hours) && hours >= 0 ? start + hours * 3600 : undefined;
  return {
    windowId: id,
    sddcId: typeof sddc === 'string' && sddc !== '' ? sddc : key,
    state: typeof state === 'string' ? state : '',
    emergency: w['emergency'] === true,
    startSeconds: start,
    endSeconds: end,
  };
}

/** `start_date` (a calendar date) plus `start_hour` (UTC); a date with a time is the start itself. */
function windowStart(date: unknown, hour: unknown): number | undefined {
  const d = parseLenientDate(date);
  if (d === undefined) return undefined;
  if (d.hasTime) return d.seconds;
  if (typeof hour !== 'number' || !Number.isInteger(hour) || hour < 0 || hour > 23) return undefined;
  return d.seconds + hour * 3600;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
