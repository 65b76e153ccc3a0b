/**
 * Pure parsing of `GET /vmc/api/orgs/{org}/subscriptions`: every field of
 * `SubscriptionDetails` is a string on the wire, numbers and dates included. No I/O, no
 * payload text in problems.
 *
 * Assumption, for the undocumented date format: `end_date` is read as an RFC 3339
 * date-time, else a `yyyy-MM-dd` calendar date (00:00 UTC of that day), else epoch digits
 * (seconds or milliseconds by magnitude); anything else gives no end series and a problem.
 */
import { parseLenientDate } from '../lib/dates.js';
import { MalformedResponseError } from '../lib/errors.js';
import { asObject, jsonTypeName, type JsonObject } from '../lib/json.js';

/** `SubscriptionDetails.status` values, spelled as the API does (`UKNOWN`, `CANCELLED`). */
export const SUBSCRIPTION_STATUSES = [
  'CREATED',
  'ACTIVATED',
  'FAILED',
  'CANCELLED',
  'EXPIRED',
  'PENDING_PROVISIONING',
  'ORDER_SUBMITTED',
  'SUSPENDED',
  'TERMINATED',
  'UKNOWN',
] as const;

/** One subscription, reduced to what becomes metrics. Missing strings are `''`. */
export interface Subscription {
  /** `csp_subscription_id`. */
  readonly id: string;
  /** `region`. */
  readonly region: string;
  /** `offer_type` (`TERM`, `ON_DEMAND`). */
  readonly offerType: string;
  /** `offer_name`. */
  readonly offerName: string;
  /** `commitment_term` as sent. */
  readonly commitmentTerm: string;
  /** `commitment_term_uom` as sent. */
  readonly commitmentTermUom: string;
  /** `billing_frequency` as sent. */
  readonly billingFrequency: string;
  /** `status` as sent. */
  readonly status: string;
  /** `quantity` as an integer; undefined when missing or not an integer. */
  readonly hosts: number | undefined;
  /** `end_date` as Unix seconds; undefined when missing or unreadable. */
  readonly endSeconds: number | undefined;
}

/** The subscriptions of one org and the entries that were skipped or could not be read. */
export interface SubscriptionList {
  /** Each `csp_subscription_id` once, sorted by it. */
  readonly subscriptions: readonly Subscription[];
  /** Messages safe to log (ids only). */
  readonly problems: readonly string[];
}

/**
 * Parses the subscription list.
 *
 * @throws MalformedResponseError when the body is not an array
 */
export function parseSubscriptions(json: unknown): SubscriptionList {
  if (!Array.isArray(json)) throw new MalformedResponseError(`expected a JSON array of subscriptions, got ${jsonTypeName(json)}`);
  const problems: string[] = [];
  const byId = new Map<string, Subscription>();
  for (const raw of json as unknown[]) {
    const s = asObject(raw);
    const id = s?.['csp_subscription_id'];
    if (s === undefined || typeof id !== 'string' || id === '') {
      problems.push('a subscription without csp_subscription_id was skipped');
      continue;
    }
    if (byId.has(id)) {
      problems.push(`subscription ${JSON.stringify(id)} appears more than once; kept the first entry`);
      continue;
    }
    byId.set(id, parseSubscription(id, s, problems));
  }
  const subscriptions = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { subscriptions, problems };
}

function parseSubscription(id: string, s: JsonObject, problems: string[]): Subscription {
  const name = JSON.stringify(id);
  const rawEnd = s['end_date'];
  const end = parseLenientDate(rawEnd);
  if (end === undefined && rawEnd !== undefined && rawEnd !== null && rawEnd !== '') {
    problems.push(`subscription ${name}: end_date is in a format the exporter cannot read; no end series`);
  }
  const rawQty = s['quantity'];
  const hosts = integer(rawQty);
  if (hosts === undefined && rawQty !== undefined && rawQty !== null && rawQty !== '') {
    problems.push(`subscription ${name}: quantity is not an integer; no hosts series`);
  }
  return {
    id,
    region: str(s['region']),
    offerType: str(s['offer_type']),
    offerName: str(s['offer_name']),
    commitmentTerm: scalar(s['commitment_term']),
    commitmentTermUom: str(s['commitment_term_uom']),
    billingFrequency: str(s['billing_frequency']),
    status: str(s['status']),
    hosts,
    endSeconds: end?.seconds,
  };
}

function integer(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  if (typeof v !== 'string' || !/^\s*\d{1,9}\s*$/.test(v)) return undefined;
  return Number(v);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** A string field that may also arrive as a number. */
function scalar(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? String(v) : str(v);
}
