/**
 * Pure parsing of a `GET /vmc/api/orgs/{org}/sddcs` body into the typed {@link SddcList}.
 *
 * Lenient by design: real payloads carry nulls, `resource_config: {}`, unknown fields and
 * unknown enum values, and test-author shapes (`esx_hosts` as an object, `clusters` as
 * `{clusters: [...]}`) have been seen. A field of the wrong shape counts as absent; only a
 * body that is not an array at all is an error. No I/O, no logging, and no payload text in
 * errors or problem messages (SDDC JSON carries plaintext passwords).
 */

import { MalformedResponseError } from '../lib/errors.js';
import { UNKNOWN_STATE } from './states.js';
import type { Cluster, ClusterCapacity, Host, Sddc, SddcList } from './types.js';
import { asObject, jsonTypeName, type JsonObject } from '../lib/json.js';


/** Ids are quoted and cut to this length in problem messages. */
const MAX_ID_IN_MESSAGE = 100;

/**
 * ISO-8601 date or date-time as VMC sends it (any number of fractional digits; V8's
 * `Date.parse` truncates them to milliseconds). Group 1: the time part; group 2: the zone.
 */
const ISO_TIMESTAMP =
  /^\d{4}-\d{2}-\d{2}(?:[Tt ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)([Zz]|[+-]\d{2}:?\d{2})?)?$/;

const NO_CLUSTERS: readonly Cluster[] = Object.freeze([]);
const NO_HOSTS: readonly Host[] = Object.freeze([]);

/** Bytes per GiB. */
const GIB = 2 ** 30;

/**
 * Parses the body of `GET /vmc/api/orgs/{org}/sddcs` (already `JSON.parse`d).
 *
 * Rules, in short:
 * - The top level must be an array, else {@link MalformedResponseError} (the message names
 *   the JSON type only). A single-SDDC body (`GET .../sddcs/{sddc}`) must be wrapped in `[ ]`.
 * - Entries that are not objects or have no non-empty string `id` are skipped; a repeated
 *   `id` keeps the first entry. Each case adds one entry to `problems` (indexes and ids only).
 * - Missing or wrongly typed string fields become `''`; enum values pass through unchanged,
 *   except that a missing, empty or wrongly typed `sddc_state`, `cluster_state` or
 *   `esx_state` becomes {@link UNKNOWN_STATE} (the entity exists, its state is not known).
 * - Hosts are counted by `esx_state` from `resource_config.clusters[].esx_host_list`; the
 *   deprecated `resource_config.esx_hosts` is used only when there are no clusters. No host
 *   list at all gives `hostStates: undefined` (unknown, not zero). The same hosts, each
 *   `esx_id` once, are kept in `hosts` for the per-host series; hosts without an `esx_id`
 *   are counted but get none (one problem per SDDC).
 * - `cluster_capacity` is converted to bytes and hertz; a missing or non-numeric field is
 *   undefined. A stretched cluster reports its witness's `vsan_witness.enum_state`.
 * - Output is sorted by id (code-unit order), clusters likewise.
 *
 * @param json - the parsed response body
 * @returns the SDDCs and the problems met while reading them
 * @throws MalformedResponseError when `json` is not an array
 */
export function parseSddcList(json: unknown): SddcList {
  if (!Array.isArray(json)) {
    throw new MalformedResponseError(`expected a JSON array of SDDCs, got ${jsonTypeName(json)}`);
  }
  const byId = new Map<string, Sddc>();
  const problems: string[] = [];
  let reported: Set<string> | undefined;
  for (let i = 0; i < json.length; i++) {
    const raw: unknown = json[i];
    const entry = asObject(raw);
    if (entry === undefined) {
      problems.push(`SDDC entry ${i} is ${jsonTypeName(raw)}, not an object; skipped`);
      continue;
    }
    const id = entry['id'];
    if (typeof id !== 'string' || id === '') {
      problems.push(`SDDC entry ${i} has no id; skipped`);
      continue;
    }
    if (byId.has(id)) {
      reported ??= new Set<string>();
      if (!reported.has(id)) {
        reported.add(id);
        problems.push(`SDDC id ${quoteId(id)} appears more than once; kept the first entry`);
      }
      continue;
    }
    byId.set(id, parseSddc(id, entry, problems));
  }
  const sddcs = Array.from(byId.values()).sort(compareById);
  return { sddcs, problems };
}

/** Builds one {@link Sddc} from an entry whose `id` is already checked. */
function parseSddc(id: string, entry: JsonObject, problems: string[]): Sddc {
  const rc = asObject(entry['resource_config']);
  let provider = asString(entry['provider']);
  let region = '';
  let deploymentType = '';
  let vmcVersion = '';
  let hostStates: Map<string, number> | undefined;
  let clusters: readonly Cluster[] = NO_CLUSTERS;
  let hosts: readonly Host[] = NO_HOSTS;

  if (rc !== undefined) {
    if (provider === '') provider = asString(rc['provider']);
    region = asString(rc['region']);
    deploymentType = asString(rc['deployment_type']);
    const manifest = asObject(rc['sddc_manifest']);
    if (manifest !== undefined) vmcVersion = asString(manifest['vmc_version']);

    const rawClusters = rc['clusters'];
    const collected = new HostCollector(id);
    if (Array.isArray(rawClusters) && rawClusters.length > 0) {
      const parsed = parseClusters(id, rawClusters, problems, collected);
      clusters = parsed.clusters;
      hostStates = parsed.hostStates;
    } else {
      // `esx_hosts` is deprecated and has been seen listing only the first cluster's hosts,
      // so it is read only when there is no cluster list to count from.
      const esxHosts = rc['esx_hosts'];
      if (Array.isArray(esxHosts)) {
        hostStates = new Map<string, number>();
        countHosts(esxHosts, hostStates, collected, '', '');
      }
    }
    hosts = collected.finish(problems);
  }

  return {
    id,
    name: asString(entry['name']),
    state: asState(entry['sddc_state']),
    provider,
    region,
    sddcType: asString(entry['sddc_type']),
    deploymentType,
    vmcVersion,
    createdSeconds: isoToSeconds(entry['created']),
    expirationSeconds: isoToSeconds(entry['expiration_date']),
    accessState: asString(entry['sddc_access_state']),
    accountLinkState: asString(entry['account_link_state']),
    hostStates,
    clusters,
    hosts,
  };
}

/**
 * Gathers the hosts of one SDDC for the per-host series: each `esx_id` once (the first
 * occurrence), hosts without an id left out, both reported once per SDDC.
 */
class HostCollector {
  readonly hosts: Host[] = [];
  readonly #sddcId: string;
  #seen: Set<string> | undefined;
  #withoutId = 0;
  #repeated: string[] | undefined;

  constructor(sddcId: string) {
    this.#sddcId = sddcId;
  }

  /** Adds one host object of a host list. */
  add(host: JsonObject, state: string, clusterId: string, clusterType: string): void {
    const rawId = host['esx_id'];
    if (typeof rawId !== 'string' || rawId === '') {
      this.#withoutId++;
      return;
    }
    const seen = (this.#seen ??= new Set<string>());
    if (seen.has(rawId)) {
      (this.#repeated ??= []).push(rawId);
      return;
    }
    seen.add(rawId);
    const type = asString(host['instance_type']);
    this.hosts.push({
      id: rawId,
      clusterId,
      name: asString(host['name']),
      state,
      instanceType: type === '' ? clusterType : type,
      availabilityZone: asString(host['availability_zone']),
    });
  }

  /** The hosts gathered; problems for hosts without an id and for repeated ids. */
  finish(problems: string[]): readonly Host[] {
    const sddc = quoteId(this.#sddcId);
    if (this.#withoutId > 0) problems.push(`SDDC ${sddc}: ${this.#withoutId} host(s) without esx_id get no per-host series`);
    if (this.#repeated !== undefined) {
      for (const id of new Set(this.#repeated)) problems.push(`SDDC ${sddc}: host id ${quoteId(id)} appears more than once; kept the first entry`);
    }
    return this.hosts.length === 0 ? NO_HOSTS : this.hosts;
  }
}

/**
 * Reads a non-empty `resource_config.clusters` array. Hosts of clusters without a usable
 * `cluster_id` still count toward the SDDC; a repeated `cluster_id` is read once (its
 * repeats, hosts included, are ignored so they are not counted twice).
 */
function parseClusters(
  sddcId: string,
  rawClusters: readonly unknown[],
  problems: string[],
  collected: HostCollector,
): { clusters: readonly Cluster[]; hostStates: Map<string, number> | undefined } {
  const clusters: Cluster[] = [];
  let hostStates: Map<string, number> | undefined;
  let seen: Set<string> | undefined;
  for (let i = 0; i < rawClusters.length; i++) {
    const raw: unknown = rawClusters[i];
    const c = asObject(raw);
    if (c === undefined) {
      problems.push(
        `SDDC ${quoteId(sddcId)}: cluster entry ${i} is ${jsonTypeName(raw)}, not an object; skipped`,
      );
      continue;
    }
    const rawId = c['cluster_id'];
    const clusterId = typeof rawId === 'string' ? rawId : '';
    if (clusterId !== '') {
      seen ??= new Set<string>();
      if (seen.has(clusterId)) {
        problems.push(
          `SDDC ${quoteId(sddcId)}: cluster id ${quoteId(clusterId)} appears more than once; kept the first entry`,
        );
        continue;
      }
      seen.add(clusterId);
    }

    const hostList = c['esx_host_list'];
    const instanceType = clusterInstanceType(c, hostList);
    let hosts: number | undefined;
    if (Array.isArray(hostList)) {
      hostStates ??= new Map<string, number>();
      hosts = countHosts(hostList, hostStates, collected, clusterId, instanceType);
    }

    if (clusterId === '') {
      problems.push(
        `SDDC ${quoteId(sddcId)}: cluster entry ${i} has no cluster_id; skipped (its hosts still count)`,
      );
      continue;
    }

    clusters.push({
      id: clusterId,
      name: asString(c['cluster_name']),
      state: asState(c['cluster_state']),
      instanceType,
      hosts,
      capacity: parseCapacity(c['cluster_capacity']),
      witnessState: witnessState(c),
    });
  }
  clusters.sort(compareById);
  return { clusters, hostStates };
}

/** `cluster_capacity` in base units; undefined when it is not an object. */
function parseCapacity(value: unknown): ClusterCapacity | undefined {
  const cap = asObject(value);
  if (cap === undefined) return undefined;
  const cores = asNumber(cap['total_number_of_cores']);
  const ghz = asNumber(cap['cpu_capacity_ghz']);
  const memory = asNumber(cap['memory_capacity_gib']);
  const storage = asNumber(cap['storage_capacity_gib']);
  return {
    cpuCores: cores,
    cpuHertz: ghz === undefined ? undefined : Math.round(ghz * 1e9),
    memoryBytes: memory === undefined ? undefined : memory * GIB,
    storageBytes: storage === undefined ? undefined : storage * GIB,
  };
}

/**
 * The witness state of a stretched cluster: `vsan_witness.enum_state` (`''` when the witness
 * or the field is missing); undefined when the cluster is not stretched (single-AZ and no
 * witness object).
 */
function witnessState(cluster: JsonObject): string | undefined {
  const witness = asObject(cluster['vsan_witness']);
  if (witness !== undefined) return asString(witness['enum_state']);
  return cluster['availability_type'] === 'MULTI_AZ' ? '' : undefined;
}

/**
 * Adds the hosts of one host list to `counts`, keyed by `esx_state` ({@link UNKNOWN_STATE} when missing or empty), and
 * to `collected`. Entries that are not objects are ignored.
 *
 * @returns the number of hosts counted
 */
function countHosts(hosts: readonly unknown[], counts: Map<string, number>, collected: HostCollector, clusterId: string, clusterType: string): number {
  let n = 0;
  for (let i = 0; i < hosts.length; i++) {
    const host: unknown = hosts[i];
    if (typeof host !== 'object' || host === null || Array.isArray(host)) continue;
    const state = asState((host as JsonObject)['esx_state']);
    counts.set(state, (counts.get(state) ?? 0) + 1);
    collected.add(host as JsonObject, state, clusterId, clusterType);
    n++;
  }
  return n;
}

/** `esx_host_info.instance_type`, else the first host's `instance_type`, else `''`. */
function clusterInstanceType(cluster: JsonObject, hostList: unknown): string {
  const info = asObject(cluster['esx_host_info']);
  if (info !== undefined) {
    const fromInfo = asString(info['instance_type']);
    if (fromInfo !== '') return fromInfo;
  }
  if (Array.isArray(hostList)) {
    for (let i = 0; i < hostList.length; i++) {
      const host = asObject(hostList[i]);
      if (host !== undefined) return asString(host['instance_type']);
    }
  }
  return '';
}

/**
 * An ISO-8601 timestamp as Unix seconds (millisecond precision; µs fractions are truncated).
 * A date-time without a zone is read as UTC, not local time. Anything else is undefined.
 */
function isoToSeconds(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = ISO_TIMESTAMP.exec(value);
  if (m === null) return undefined;
  const ms = Date.parse(m[1] !== undefined && m[2] === undefined ? `${value}Z` : value);
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}


function asString(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** A state field: the string as sent, or {@link UNKNOWN_STATE} when missing, blank or not a string. */
function asState(value: unknown): string {
  return typeof value === 'string' && value.trim() !== '' ? value : UNKNOWN_STATE;
}

function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}


function quoteId(id: string): string {
  return JSON.stringify(id.length > MAX_ID_IN_MESSAGE ? `${id.slice(0, MAX_ID_IN_MESSAGE)}…` : id);
}

function compareById(a: { readonly id: string }, b: { readonly id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
