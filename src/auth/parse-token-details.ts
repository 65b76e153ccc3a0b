/**
 * Pure parsing of CSP's API-token details (`POST /csp/gateway/am/api/auth/api-tokens/details`,
 * `ApiTokenDetailsDto`). Only the expiry is kept: the answer also carries the token value
 * itself (`token`), which must never leave the token manager.
 */
import { epochToSeconds } from '../lib/dates.js';
import { MalformedResponseError } from '../lib/errors.js';
import { asObject, jsonTypeName } from '../lib/json.js';

/** What the exporter keeps of the API-token details. */
export interface ApiTokenDetails {
  /**
   * `expiresAt` as Unix seconds. The sources disagree whether CSP sends seconds or
   * milliseconds: a value above 10^11 is read as milliseconds, any other as seconds.
   * Undefined when missing or not a positive number.
   */
  readonly expiresAtSeconds: number | undefined;
}

/**
 * Parses the details answer.
 *
 * @throws MalformedResponseError when it is not an object
 */
export function parseApiTokenDetails(json: unknown): ApiTokenDetails {
  const o = asObject(json);
  if (o === undefined) throw new MalformedResponseError(`expected a JSON object of API-token details, got ${jsonTypeName(json)}`);
  const raw = o['expiresAt'];
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
  return { expiresAtSeconds: Number.isFinite(n) && n > 0 ? epochToSeconds(n) : undefined };
}
