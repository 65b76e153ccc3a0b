/**
 * Pure parsing of the autoscaler's per-SDDC call
 * `GET /vmc/autoscaler/api/orgs/{org}/sddcs/{sddc}/edrs-policy`: one `EdrsClusterInfo` per
 * cluster. No I/O.
 */
import { MalformedResponseError } from '../lib/errors.js';
import { asObject, jsonTypeName } from '../lib/json.js';

/** The Elastic DRS policy of one cluster. */
export interface EdrsCluster {
  /** `cluster_id`. */
  readonly clusterId: string;
  /** `edrs_policy.enable_edrs`; undefined when missing. */
  readonly enabled: boolean | undefined;
  /** `edrs_policy.min_hosts`. */
  readonly minHosts: number | undefined;
  /** `edrs_policy.max_hosts`. */
  readonly maxHosts: number | undefined;
  /** `edrs_policy.policy_type` (lower case with hyphens, e.g. `storage-scaleup`); `''` when missing. */
  readonly policyType: string;
  /** `status_key` (e.g. `skyscraper.autoscaler.elastic.drs.max.hosts`); `''` when the API reports none. */
  readonly statusKey: string;
}

/**
 * Parses the answer: an array of `EdrsClusterInfo`; entries without a `cluster_id` are
 * skipped, a repeated one keeps the first.
 *
 * @throws MalformedResponseError when the body is not an array
 */
export function parseEdrsPolicies(json: unknown): EdrsCluster[] {
  if (!Array.isArray(json)) throw new MalformedResponseError(`expected a JSON array of cluster EDRS policies, got ${jsonTypeName(json)}`);
  const out = new Map<string, EdrsCluster>();
  for (const raw of json as unknown[]) {
    const c = asObject(raw);
    const id = c?.['cluster_id'];
    if (c === undefined || typeof id !== 'string' || id === '' || out.has(id)) continue;
    const p = asObject(c['edrs_policy']) ?? {};
    const enabled = p['enable_edrs'];
    const status = c['status_key'];
    const policy = p['policy_type'];
    out.set(id, {
      clusterId: id,
      enabled: typeof enabled === 'boolean' ? enabled : undefined,
      minHosts: count(p['min_hosts']),
      maxHosts: count(p['max_hosts']),
      policyType: typeof policy === 'string' ? policy : '',
      statusKey: typeof status === 'string' ? status : '',
    });
  }
  return [...out.values()].sort((a, b) => (a.clusterId < b.clusterId ? -1 : a.clusterId > b.clusterId ? 1 : 0));
}

function count(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
