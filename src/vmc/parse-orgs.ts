/**
 * Pure parsing of a `GET /vmc/api/orgs` body into {@link Org} values. No I/O, no logging,
 * no payload text in errors.
 */

import { MalformedResponseError } from '../lib/errors.js';
import type { Org } from './types.js';
import { asObject, jsonTypeName, type JsonObject } from '../lib/json.js';


/**
 * Parses the body of `GET /vmc/api/orgs` (already `JSON.parse`d).
 *
 * The top level must be an array, else {@link MalformedResponseError} (the message names the
 * JSON type only). Entries that are not objects or have no non-empty string `id` are skipped;
 * a repeated `id` keeps the first entry. Each entry is read as {@link parseOrg} reads one.
 * The result is sorted by id (code-unit order); orgs whose `project_state` is `DELETED` are
 * kept (the caller decides).
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
    byId.set(id, orgOf(id, entry));
  }
  return Array.from(byId.values()).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Parses the body of `GET /vmc/api/orgs/{org}` (already `JSON.parse`d): one organization.
 * `displayName` is the first non-empty of `display_name` and `name`, else `''`;
 * `projectState` is `project_state` as sent, else `''`.
 *
 * @param json - the parsed response body
 * @returns the organization
 * @throws MalformedResponseError when `json` is not an object with a non-empty string `id`
 */
export function parseOrg(json: unknown): Org {
  const entry = asObject(json);
  if (entry === undefined) throw new MalformedResponseError(`expected a JSON object (an org), got ${jsonTypeName(json)}`);
  const id = entry['id'];
  if (typeof id !== 'string' || id === '') throw new MalformedResponseError('expected an org with a non-empty string id');
  return orgOf(id, entry);
}

function orgOf(id: string, entry: JsonObject): Org {
  const state = entry['project_state'];
  return { id, displayName: firstNonEmptyString(entry['display_name'], entry['name']), projectState: typeof state === 'string' ? state : '' };
}

function firstNonEmptyString(...values: unknown[]): string {
  for (const v of values) {
    if (typeof v === 'string' && v !== '') return v;
  }
  return '';
}

