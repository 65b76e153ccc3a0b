/**
 * Pure parsing of `GET /vmc/api/orgs/{org}/account-link/sddc-connections`: the SDDCs'
 * connections to the customer's AWS VPC. No I/O.
 */
import { MalformedResponseError } from '../lib/errors.js';
import { asObject, jsonTypeName } from '../lib/json.js';

/** `AwsSddcConnection.state` values. */
export const AWS_CONNECTION_STATES = ['ACTIVE', 'BROKEN', 'DELETED'] as const;

/** One SDDC-to-VPC connection. */
export interface AwsConnection {
  /** `id`. */
  readonly id: string;
  /** `sddc_id` (`''` when missing). */
  readonly sddcId: string;
  /** `state`, passed through (`''` when missing). */
  readonly state: string;
}

/**
 * Parses the connection list: entries without an `id` are skipped, a repeated one keeps the
 * first; sorted by SDDC id, then id. Deleted connections are kept (the renderer leaves them out).
 *
 * @throws MalformedResponseError when the body is not an array
 */
export function parseSddcConnections(json: unknown): AwsConnection[] {
  if (!Array.isArray(json)) throw new MalformedResponseError(`expected a JSON array of SDDC connections, got ${jsonTypeName(json)}`);
  const out = new Map<string, AwsConnection>();
  for (const raw of json as unknown[]) {
    const c = asObject(raw);
    const id = c?.['id'];
    if (c === undefined || typeof id !== 'string' || id === '' || out.has(id)) continue;
    const sddc = c['sddc_id'];
    const state = c['state'];
    out.set(id, { id, sddcId: typeof sddc === 'string' ? sddc : '', state: typeof state === 'string' ? state : '' });
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...out.values()].sort((a, b) => cmp(a.sddcId, b.sddcId) || cmp(a.id, b.id));
}
