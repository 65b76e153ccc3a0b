/**
 * The collector contract. Each source of metrics is a collector: a name, an enable flag
 * (`--collector.NAME` / `--no-collector.NAME`), a cache TTL flag (`--collector.NAME.ttl`
 * by default), a fetch per org and a pure render of what it fetched. The framework
 * ({@link CollectionEngine} in `engine.ts`, {@link SourceCache} in `source-cache.ts`) gives
 * every collector single flight, TTL caching, stale serving, the scrape deadline, failure
 * logging on change, and `vmc_collector_success` / `vmc_collector_duration_seconds` per org.
 *
 * Adding a collector means adding one file under `collectors/` and one line in
 * `collectors/index.ts`.
 *
 * Odd values, for every collector: an entity that exists but whose state field is missing
 * or empty reports `state="UNKNOWN"` in its state set (never `state=""`, see
 * `pushStateSet`); an unknown value passes through as its own label value; a missing
 * number or date gives no series.
 */
import type { TokenManager } from '../auth/token-manager.js';
import { ExporterError } from '../lib/errors.js';
import type { AuthConfig } from '../config/config.js';
import type { CollectorFlags } from '../config/flag-table.js';
import type { Family } from '../lib/text-format.js';
import type { Org } from '../vmc/types.js';
import type { VmcCall, VmcClient } from '../vmc/vmc-client.js';

/** What a collector's fetch may use. */
export interface FetchContext {
  /** The org being collected; `''` for a collector of scope `exporter`. */
  readonly orgId: string;
  /** Makes VMC calls (metrics, retries, the 401 retry, the concurrency bound). */
  readonly vmc: VmcClient;
  /** The access token for calls about this org. */
  readonly tokens: TokenManager;
  /** The collector's own flag values (`CollectorSettings.options`). */
  readonly options: Readonly<Record<string, unknown>>;
  /** Wall-clock milliseconds, from the injected clock. */
  now(): number;
  /**
   * The org as the org list last showed it, when orgs are discovered (`GET /vmc/api/orgs`);
   * undefined for orgs named with `--vmc.org`, for orgs the list does not have, and for a
   * collector of scope `exporter`. Reading it makes no call.
   */
  listedOrg(): Org | undefined;
  /**
   * The last good result of a collector named in `dependsOn`, for the same org. Waits for
   * that collector's running collection, if any; undefined when it has never succeeded.
   */
  dependency<D>(name: string): Promise<D | undefined>;
}

/**
 * A collector cannot collect because a collector it depends on has no good result yet (the
 * EDRS collector without an SDDC list). Its own failure is not logged as a warning: the
 * dependency's failure already was.
 */
export class DependencyUnavailableError extends ExporterError {
  /**
   * @param collector - the collector that cannot collect
   * @param dependency - the collector it waits for
   */
  constructor(collector: string, dependency: string) {
    super('DEPENDENCY_UNAVAILABLE', `the ${collector} collector needs the ${dependency} collector's data, which is not known yet (the ${dependency} collector has not succeeded)`);
  }
}

/** What a collector's render writes into. */
export interface RenderContext {
  /** The org's label pair, ready to use: `org_id="…"` (escaped). */
  readonly org: string;
  /** One array of sample lines per entry of `families`, in that order. */
  readonly out: string[][];
}

/**
 * A collector. `T` is what its fetch returns and its render reads: a typed whitelist of
 * fields, never a raw payload (SDDC JSON carries passwords).
 */
export interface CollectorDefinition<T = unknown> extends CollectorFlags {
  /**
   * `org` (the default): fetched once per org. `exporter`: fetched once for the whole
   * exporter (about the credentials, not an org), shown with `org_id=""`.
   */
  readonly scope?: 'org' | 'exporter';
  /**
   * The kind of credentials the collector needs (e.g. `api-token` for the API token's own
   * expiry); with other credentials it is not active, whatever its flag says.
   */
  readonly credentials?: AuthConfig['kind'];
  /** Collectors whose last good result `fetch` reads through `ctx.dependency`. */
  readonly dependsOn?: readonly string[];
  /**
   * `fetch` reads `ctx.listedOrg()`: the collector is asked only once the scrape has the org
   * list, while the others of a known org start at once (a slow org list delays only it).
   */
  readonly readsOrgList?: boolean;
  /** The families `render` writes, in output order. */
  readonly families: readonly Family[];
  /**
   * What a 403 from VMC most likely means for this collector: the role or step missing,
   * for the log line (e.g. `the VMC service role "Administrator (Delete Restricted)"`).
   */
  readonly forbiddenHint?: string;
  /** Fetches and parses one org's data (token, retries and call budget inside). */
  fetch(ctx: FetchContext): Promise<T>;
  /** Pure: appends the lines of `data` to the family buffers. */
  render(data: T, ctx: RenderContext): void;
  /** Entries of `data` that were skipped or merged, as messages safe to log (logged on change). */
  problems?(data: T): readonly string[];
  /**
   * What this collector adds to the status page (`/`) for one org: the org's name, when it
   * knows it, and counts such as SDDCs by state. Pure; `data` is what the page's view holds.
   */
  status?(data: T): StatusContribution;
  /**
   * The VMC calls `vmc-exporter check` makes for this collector in each org, in order (see
   * {@link CheckProbe}); cheaper than a whole `fetch` when that makes many calls. Without
   * it, the check runs `fetch` and reports each call it made.
   */
  readonly check?: readonly CheckProbe[];
}

/** A collector's part of the status page for one org. */
export interface StatusContribution {
  /** The org's display name. */
  readonly orgName?: string;
  /** Tallies to show, each as (label, count) pairs in display order, e.g. SDDCs by state. */
  readonly counts?: ReadonlyArray<{ readonly title: string; readonly counts: ReadonlyArray<readonly [string, number]> }>;
}

/**
 * One call of `vmc-exporter check` for a collector. Its answer is checked like any
 * collection (the parser must accept the body); a failure is reported with the collector's
 * `forbiddenHint` and `--no-collector.NAME`.
 */
export interface CheckProbe<D = unknown> {
  /** `endpoint` label of the call, as in `vmc_api_requests_total`. */
  readonly endpoint: string;
  /**
   * The call for `ctx.orgId`; undefined when the org has nothing to call it on (no SDDC, say),
   * which the check reports as skipped. `ctx.dependency(name)` gives the checked result of a
   * collector in `dependsOn`: the answer to its first probe, or its fetch's result.
   */
  readonly call: (ctx: FetchContext) => VmcCall<D> | undefined | Promise<VmcCall<D> | undefined>;
  /** A few words about a good answer for the report, e.g. `3 SDDCs`. */
  readonly describe?: (data: D) => string;
}

/**
 * Defines a check probe with its answer's type checked, and erases the type for the collector.
 * @param probe - the probe
 */
export function checkProbe<D>(probe: CheckProbe<D>): CheckProbe {
  return probe as unknown as CheckProbe;
}

/** A collector with the settings it runs with. */
export interface ActiveCollector {
  /** The definition. */
  readonly definition: CollectorDefinition;
  /** Cache TTL, ms (0 = fetch on every scrape). */
  readonly ttlMs: number;
  /** The collector's own flag values. */
  readonly options: Readonly<Record<string, unknown>>;
}

/**
 * Defines a collector with its data type checked, and erases the type for the registry.
 * @param definition - the collector
 */
export function defineCollector<T>(definition: CollectorDefinition<T>): CollectorDefinition {
  return definition as unknown as CollectorDefinition;
}
