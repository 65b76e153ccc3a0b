/**
 * Pure parsing of a `GET /vmc/api/orgs` body into {@link Org} values. No I/O, no logging,
 * no payload text in errors.
 */

import { MalformedResponseError } from '../lib/errors.js';
import type { Org } from './types.js';
import { jsonTypeName, type JsonObject } from '../lib/json.js';


/**
 * Parses the body of `GET /vmc/api/orgs` (already `JSON.parse`d).
 *
 * The top level must be an array, else {@link MalformedResponseError} (the message names the
 * JSON type only). Entries that are not objects or have no non-empty string `id` are skipped;
 * a repeated `id` keeps the first entry. `displayName` is the first non-empty of
 * `display_name` and `name`, else `''`. The result is sorted by id (code-unit order).
 *
 * @param json - the parsed response body
 * @returns the organizations, each id once
 * @throws MalformedResponseError when `json` is not an array
 */
export function parseOrgList(json: unknown): Org[] {
  if (!Array.isArray(json)) {
    throw new MalformedResponseError(`expected a JSON array of orgs, got ${jsonTypeName(json)}`);
  }
  const byId = new Map<string, Org>();
  for (const raw of json as readonly unknown[]) {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) continue;
    const entry = raw as JsonObject;
    const id = entry['id'];
    if (typeof id !== 'string' || id === '' || byId.has(id)) continue;
    byId.set(id, { id, displayName: firstNonEmptyString(entry['display_name'], entry['name']) });
  }
  return Array.from(byId.values()).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function firstNonEmptyString(...values: unknown[]): string {
  for (const v of values) {
    if (typeof v === 'string' && v !== '') return v;
  }
  return '';
}

