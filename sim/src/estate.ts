/**
 * The simulator's world: orgs and, per org, the raw SDDC JSON objects the VMC API returns.
 * Pure data plus mutations; the HTTP layer (`server.ts`) only reads serialized bodies.
 */
import { type Clock, systemClock } from './clock.js';
import { emptyOperations, type OrgOperations } from './operations.js';
import { isoTime, type JsonObject } from './sddc-json.js';

export type { JsonObject } from './sddc-json.js';

/** An organization as the simulator knows it. */
export interface SimOrg {
  /** Org id (UUID). */
  readonly id: string;
  /** Short name (`name`). */
  readonly name: string;
  /** Human name (`display_name`). */
  readonly display_name: string;
}

/** How to read an org's SDDC list. */
export interface SddcQuery {
  /** Include SDDCs whose `sddc_state` is `DELETED` (`?includeDeleted=true`). @default false */
  readonly includeDeleted?: boolean;
  /**
   * Clock time (ms) at which to apply the estate's {@link Movement}; `undefined` reads the
   * static estate without movement.
   */
  readonly at?: number;
}

/** Tells a {@link Movement} which entities were set by hand and must not move. */
export interface PinCheck {
  /** True when the SDDC's state was set with `setSddcState`. */
  sddc(orgId: string, sddcId: string): boolean;
  /** True when the host's state was set with `setHostState`. */
  host(orgId: string, sddcId: string, esxId: string): boolean;
}

/**
 * Time-driven changes layered over the static estate, computed as a pure function of the
 * clock time (no timers). Used by the demo estate so that dashboards show movement.
 */
export interface Movement {
  /**
   * Identifies the stretch of the timeline `nowMs` falls in. The movement's output may only
   * change when this string changes; serialized bodies are cached per phase.
   */
  phase(nowMs: number): string;
  /**
   * The org's SDDC list as it looks at `nowMs`. Must not mutate its input; entries that do
   * not move may be returned as they are. DELETED filtering happens afterwards.
   */
  apply(orgId: string, sddcs: readonly JsonObject[], nowMs: number, pinned: PinCheck): readonly JsonObject[];
}

/** Everything an {@link Estate} starts from. */
export interface EstateInit {
  /** The orgs, in order; the first is the OAuth app's home org. */
  readonly orgs: readonly SimOrg[];
  /** SDDC JSON objects per org id (orgs missing here have none). Taken over, not copied. */
  readonly sddcs: Readonly<Record<string, readonly JsonObject[]>>;
  /** Operational data per org id (maintenance, tasks, subscriptions, connections, EDRS); orgs missing here have none. */
  readonly operations?: Readonly<Record<string, Partial<OrgOperations>>>;
  /** Optional time-driven changes (see {@link Movement}). */
  readonly movement?: Movement;
  /** Stamps `updated` / `state_last_updated` on mutations. @default systemClock */
  readonly clock?: Clock;
}

/** Raised by mutations that name an org, SDDC or host the estate does not have. */
export class SimNotFoundError extends Error {
  /** @param message - names what was not found (ids only) */
  constructor(message: string) {
    super(message);
    this.name = 'SimNotFoundError';
  }
}

/** JSON keys whose string values are secrets. */
const SECRET_KEY = /password|secret|key_material/i;

interface CachedBody {
  readonly version: number;
  readonly phase: string;
  readonly body: Buffer;
}

/**
 * Orgs and their SDDC JSON, with mutations and cached serialized list bodies.
 *
 * Objects returned by {@link Estate.sddcs} are the estate's own (or movement copies): treat
 * them as read-only and change the estate only through the mutation methods.
 */
export class Estate {
  readonly #orgs: SimOrg[];
  readonly #sddcs = new Map<string, JsonObject[]>();
  readonly #operations = new Map<string, OrgOperations>();
  readonly #movement: Movement | undefined;
  readonly #clock: Clock;
  readonly #cache = new Map<string, CachedBody>();
  readonly #pinnedSddcs = new Set<string>();
  readonly #pinnedHosts = new Set<string>();
  readonly #retiredSecrets = new Set<string>();
  #version = 0;

  /** @param init - orgs, SDDCs per org, optional movement and clock */
  constructor(init: EstateInit) {
    const seen = new Set<string>();
    for (const org of init.orgs) {
      if (seen.has(org.id)) throw new Error(`duplicate org id ${org.id}`);
      seen.add(org.id);
    }
    this.#orgs = init.orgs.map((o) => ({ id: o.id, name: o.name, display_name: o.display_name }));
    for (const org of this.#orgs) {
      this.#sddcs.set(org.id, [...(init.sddcs[org.id] ?? [])]);
      this.#operations.set(org.id, emptyOperations(init.operations?.[org.id]));
    }
    this.#movement = init.movement;
    this.#clock = init.clock ?? systemClock;
  }

  /** Bumped on every mutation; cached bodies from older versions are stale. */
  get version(): number {
    return this.#version;
  }

  /** The time-driven changes of this estate, if any. */
  get movement(): Movement | undefined {
    return this.#movement;
  }

  /** All orgs, in order. */
  orgs(): readonly SimOrg[] {
    return this.#orgs;
  }

  /** All org ids, in order; the first is the home org. */
  orgIds(): string[] {
    return this.#orgs.map((o) => o.id);
  }

  /** The org with this id, if any. */
  org(orgId: string): SimOrg | undefined {
    return this.#orgs.find((o) => o.id === orgId);
  }

  /**
   * The org's SDDC list as the API would return it. Throws {@link SimNotFoundError} for an
   * unknown org.
   */
  sddcs(orgId: string, query: SddcQuery = {}): readonly JsonObject[] {
    let list: readonly JsonObject[] = this.#list(orgId);
    if (query.at !== undefined && this.#movement !== undefined) {
      list = this.#movement.apply(orgId, list, query.at, this.#pinCheck);
    }
    if (query.includeDeleted === true) return list;
    return list.filter((s) => s['sddc_state'] !== 'DELETED');
  }

  /** One SDDC (first with that id) as the API would return it, or undefined. */
  sddc(orgId: string, sddcId: string, query: SddcQuery = {}): JsonObject | undefined {
    return this.sddcs(orgId, { ...query, includeDeleted: true }).find((s) => s['id'] === sddcId);
  }

  /**
   * The org's operational data (the estate's own objects: changes show at once). Throws
   * {@link SimNotFoundError} for an unknown org.
   */
  operations(orgId: string): OrgOperations {
    const ops = this.#operations.get(orgId);
    if (ops === undefined) throw new SimNotFoundError(`no org ${orgId}`);
    return ops;
  }

  /**
   * The serialized list body (`JSON.stringify` of {@link Estate.sddcs}), cached until the
   * estate changes or the movement phase moves on.
   */
  body(orgId: string, query: SddcQuery = {}): Buffer {
    const includeDeleted = query.includeDeleted === true;
    const phase =
      query.at !== undefined && this.#movement !== undefined ? this.#movement.phase(query.at) : '';
    const key = `${orgId}\u0000${includeDeleted ? 1 : 0}`;
    const hit = this.#cache.get(key);
    if (hit !== undefined && hit.version === this.#version && hit.phase === phase) return hit.body;
    const body = Buffer.from(JSON.stringify(this.sddcs(orgId, query)));
    this.#cache.set(key, { version: this.#version, phase, body });
    return body;
  }

  /**
   * Sets `sddc_state` of every SDDC with this id in the org (bumps `version`, stamps
   * `updated`) and pins it against movement.
   */
  setSddcState(orgId: string, sddcId: string, state: string): void {
    const found = this.#find(orgId, sddcId);
    for (const sddc of found) {
      sddc['sddc_state'] = state;
      this.#touch(sddc);
    }
    this.#pinnedSddcs.add(pinKey(orgId, sddcId));
    this.#changed();
  }

  /**
   * Sets `esx_state` of the host in both `clusters[].esx_host_list` and the deprecated
   * `esx_hosts`, and pins it against movement.
   */
  setHostState(orgId: string, sddcId: string, esxId: string, state: string): void {
    const now = isoTime(this.#clock.now());
    let hits = 0;
    for (const sddc of this.#find(orgId, sddcId)) {
      for (const host of hostsOf(sddc)) {
        if (host['esx_id'] !== esxId) continue;
        host['esx_state'] = state;
        host['state_last_updated'] = now;
        hits++;
      }
      if (hits > 0) this.#touch(sddc);
    }
    if (hits === 0) throw new SimNotFoundError(`no host ${esxId} in SDDC ${sddcId} of org ${orgId}`);
    this.#pinnedHosts.add(pinKey(orgId, sddcId, esxId));
    this.#changed();
  }

  /** Removes every SDDC with this id from the org (as if it vanished, not DELETED). */
  removeSddc(orgId: string, sddcId: string): void {
    const list = this.#list(orgId);
    const removed = this.#find(orgId, sddcId);
    for (const sddc of removed) collectSecrets(sddc, this.#retiredSecrets);
    this.#sddcs.set(
      orgId,
      list.filter((s) => s['id'] !== sddcId),
    );
    this.#changed();
  }

  /**
   * Appends a deep copy of an SDDC JSON object to the org's list. No checks on its shape:
   * ids may repeat and fields may be missing, to simulate a misbehaving API.
   */
  addSddc(orgId: string, sddcJson: JsonObject): void {
    this.#list(orgId).push(structuredClone(sddcJson));
    this.#changed();
  }

  /**
   * Every secret value (strings under keys containing `password`, `secret` or `key_material`) the estate
   * holds or has held (removed SDDCs included), sorted.
   */
  secrets(): string[] {
    const out = new Set(this.#retiredSecrets);
    for (const list of this.#sddcs.values()) for (const sddc of list) collectSecrets(sddc, out);
    return [...out].sort();
  }

  readonly #pinCheck: PinCheck = {
    sddc: (orgId, sddcId) => this.#pinnedSddcs.has(pinKey(orgId, sddcId)),
    host: (orgId, sddcId, esxId) => this.#pinnedHosts.has(pinKey(orgId, sddcId, esxId)),
  };

  #list(orgId: string): JsonObject[] {
    const list = this.#sddcs.get(orgId);
    if (list === undefined) throw new SimNotFoundError(`no org ${orgId}`);
    return list;
  }

  #find(orgId: string, sddcId: string): JsonObject[] {
    const found = this.#list(orgId).filter((s) => s['id'] === sddcId);
    if (found.length === 0) throw new SimNotFoundError(`no SDDC ${sddcId} in org ${orgId}`);
    return found;
  }

  #touch(sddc: JsonObject): void {
    sddc['updated'] = isoTime(this.#clock.now());
    if (typeof sddc['version'] === 'number') sddc['version'] += 1;
  }

  #changed(): void {
    this.#version++;
    this.#cache.clear();
  }
}

/** Key of a pinned SDDC or host. */
function pinKey(...parts: string[]): string {
  return parts.join('\u0000');
}

/** True for a non-null, non-array object. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Every host object of an SDDC: `resource_config.clusters[].esx_host_list[]` and
 * `resource_config.esx_hosts[]` (the same host may appear in both).
 */
export function hostsOf(sddc: JsonObject): JsonObject[] {
  const rc = sddc['resource_config'];
  if (!isJsonObject(rc)) return [];
  const out: JsonObject[] = [];
  const clusters = rc['clusters'];
  if (Array.isArray(clusters)) {
    for (const c of clusters) {
      if (!isJsonObject(c)) continue;
      const list = c['esx_host_list'];
      if (Array.isArray(list)) for (const h of list) if (isJsonObject(h)) out.push(h);
    }
  }
  const flat = rc['esx_hosts'];
  if (Array.isArray(flat)) for (const h of flat) if (isJsonObject(h)) out.push(h);
  return out;
}

/** Adds every string value under a secret-looking key found anywhere in `value` to `out`. */
function collectSecrets(value: unknown, out: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) if (typeof item === 'object' && item !== null) collectSecrets(item, out);
    return;
  }
  if (!isJsonObject(value)) return;
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'string') {
      if (v !== '' && SECRET_KEY.test(key)) out.add(v);
    } else if (typeof v === 'object' && v !== null) {
      collectSecrets(v, out);
    }
  }
}

/** The `Organization` JSON returned by `GET /vmc/api/orgs` for one org. */
export function orgJson(org: SimOrg): JsonObject {
  return {
    id: org.id,
    name: org.name,
    display_name: org.display_name,
    org_type: 'CUSTOMER',
    project_state: 'CREATED',
    sla: 'CUSTOMER',
    created: '2022-02-14T08:30:12.000412Z',
    updated: '2025-11-03T11:02:45.000187Z',
    user_id: '9e9e9e9e-aaaa-4bbb-8ccc-dddddddddddd',
    user_name: 'ops@example.com',
    updated_by_user_id: '9e9e9e9e-aaaa-4bbb-8ccc-dddddddddddd',
    updated_by_user_name: 'Internal-Operator',
    version: 27,
    properties: { values: { sddcLimit: '20', defaultAwsRegions: 'US_WEST_2,EU_CENTRAL_1' } },
    org_seller_info: null,
    cloud_provider: 'AWS',
  };
}
