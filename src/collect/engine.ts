import type { Logger } from 'pino';
import type { TokenManager } from '../auth/token-manager.js';
import type { Clock } from '../lib/clock.js';
import type { VmcClient } from '../vmc/vmc-client.js';
import type { ActiveCollector, FetchContext } from './collector.js';
import type { OrgSource } from './org-discovery.js';
import { OrgFailures, SourceCache, type SourceView } from './source-cache.js';

/** What one scrape shows of one org (or, with `orgId` `''`, of the exporter-wide collectors). */
export interface OrgView {
  /** The org id (`org_id` label); `''` for the exporter-wide collectors. */
  readonly orgId: string;
  /** One entry per active collector, in {@link CollectionView.collectors} order; undefined where the collector has the other scope. */
  readonly sources: ReadonlyArray<SourceView | undefined>;
  /**
   * `vmc_up`: the primary collector (the SDDC list) is up; with the primary collector
   * turned off, every collector of the org is up.
   */
  readonly up: boolean;
  /** The primary collector's view, when it is active (`vmc_last_success_timestamp_seconds`, `vmc_scrape_duration_seconds`). */
  readonly primary: SourceView | undefined;
}

/** What one scrape shows. */
export interface CollectionView {
  /** The active collectors, in output order. */
  readonly collectors: readonly ActiveCollector[];
  /** One entry per org, sorted by org id. */
  readonly orgs: readonly OrgView[];
  /** The exporter-wide collectors; undefined when there are none or the scrape did not ask for them. */
  readonly exporter: OrgView | undefined;
  /** True when the org list is unknown because listing orgs failed (`vmc_up{org_id=""} 0`). */
  readonly orgListFailed: boolean;
}

/** What a scrape asks for. */
export interface CollectScope {
  /**
   * Only these orgs (a probe); they need not be in the org list. Orgs not in it are tracked
   * as probed orgs: bounded by {@link ProbeLimits.maxOrgs} and forgotten after
   * {@link ProbeLimits.idleMs} without a probe. @default the org list
   */
  readonly orgs?: readonly string[];
  /** Only these collectors, by name. @default every active collector */
  readonly collectors?: ReadonlySet<string>;
  /** Include the exporter-wide collectors. @default true without `orgs` */
  readonly exporterWide?: boolean;
}

/** How the engine keeps orgs named only by probes (not in the org list). */
export interface ProbeLimits {
  /** `--probe.idle` in ms: an org not probed for this long is forgotten. */
  readonly idleMs: number;
  /** `--probe.max-orgs`: most such orgs at once; a probe of a further one is refused. */
  readonly maxOrgs: number;
}

/**
 * A probe named an org the engine would have to start tracking while
 * {@link ProbeLimits.maxOrgs} orgs named only by probes are tracked already.
 */
export class ProbeLimitError extends Error {
  /** @param limit - {@link ProbeLimits.maxOrgs} */
  constructor(readonly limit: number) {
    super(`too many orgs named only by probes (limit ${limit})`);
    this.name = 'ProbeLimitError';
  }
}

/** Dependencies of {@link CollectionEngine}. */
export interface EngineOptions {
  /** The enabled collectors with their settings, in output order. */
  readonly collectors: readonly ActiveCollector[];
  /** The name of the collector behind `vmc_up` (the SDDC list). */
  readonly primary: string;
  /** The orgs `/metrics` shows. */
  readonly orgs: OrgSource;
  /** Makes the VMC calls. */
  readonly vmc: VmcClient;
  /**
   * The token for calls about an org (`''` for exporter-wide collectors); `probedOnly` is
   * true while the org is named only by probes.
   */
  readonly tokens: (orgId: string, probedOnly: boolean) => TokenManager;
  /** Time source. */
  readonly clock: Clock;
  /** `--cache.max-stale` in ms. */
  readonly maxStaleMs: number;
  /** Logger. */
  readonly logger: Logger;
  /** Scrubs secrets out of the error messages the views keep. @default removes nothing */
  readonly scrub?: (text: string) => string;
  /** Bounds and forgetting of orgs named only by probes. @default no bound, never forgotten */
  readonly probes?: ProbeLimits;
  /**
   * Called when the engine drops an org's caches (it left the org list and is not probed,
   * or it was named only by probes and fell idle), so that its token and every series
   * labelled with it can go too.
   */
  readonly forget?: (orgId: string) => void;
}

/** The sources of one org, aligned with the active collectors. */
type Sources = ReadonlyArray<SourceCache<unknown> | undefined>;

/**
 * Runs the collectors for a scrape: asks each (org, collector) cache for fresh data, waits
 * for the collections it started or joined until the scrape's deadline, and returns what
 * to show. Orgs that vanish from the org list vanish from the output. A failing collector
 * never affects another one: each has its own cache, state and failure log.
 *
 * An org has one set of caches whoever asks for it: a probe of an org of the org list
 * shares the caches (and upstream calls) of `/metrics`. Orgs named only by probes are kept
 * while they are probed, at most {@link ProbeLimits.maxOrgs} of them, and forgotten after
 * {@link ProbeLimits.idleMs} without a probe.
 */
export class CollectionEngine {
  readonly #o: EngineOptions;
  /** The caches of every org the engine knows: the org list's and the probed ones. */
  readonly #orgs = new Map<string, Sources>();
  /** The org list, sorted. */
  #listed: readonly string[] = [];
  #listedSet: ReadonlySet<string> = new Set();
  /** The array {@link #sync} last read (org sources hand out the same array until the list changes). */
  #synced: readonly string[] | undefined;
  /** Probed orgs by the time of their last probe, least recently probed first. */
  readonly #probed = new Map<string, number>();
  #full = false;
  #exporter: Sources | undefined;
  readonly #primaryIndex: number;

  /** @param opts - see {@link EngineOptions} */
  constructor(opts: EngineOptions) {
    this.#o = opts;
    this.#primaryIndex = opts.collectors.findIndex((c) => c.definition.name === opts.primary);
  }

  /** The active collectors, in output order. */
  get collectors(): readonly ActiveCollector[] {
    return this.#o.collectors;
  }

  /**
   * Returns the view for one scrape, waiting for due collections until `deadline` settles.
   * @param deadline - settles when the scrape must answer
   * @param scope - what the scrape asks for (default: every org of the org list, every collector)
   */
  async collect(deadline: Promise<void>, scope: CollectScope = {}): Promise<CollectionView> {
    const wanted = (i: number): boolean => scope.collectors === undefined || scope.collectors.has(this.#o.collectors[i]!.definition.name);
    /** The caches this scrape asked already, with what they answered (each is asked once). */
    const asked = new Map<SourceCache<unknown>, Promise<void> | undefined>();
    let ids: readonly string[];
    let orgListFailed = false;
    if (scope.orgs !== undefined) {
      ids = [...new Set(scope.orgs)].sort();
      const current = this.#o.orgs.current();
      if (current !== undefined) this.#sync(current);
      this.#touch(ids);
    } else {
      // The orgs already known start collecting at once, so a slow org list costs them nothing
      // (but for the collectors that read the org list).
      const early = (i: number): boolean => wanted(i) && this.#o.collectors[i]!.definition.readsOrgList !== true;
      for (const id of this.#listed) {
        const known = this.#orgs.get(id);
        if (known !== undefined) refreshAll(known, early, asked);
      }
      const listed = await Promise.race([this.#o.orgs.orgIds(), deadline.then(() => undefined)]);
      if (listed === undefined) orgListFailed = true;
      else {
        this.#sync(listed);
        orgListFailed = this.#o.orgs.failing;
      }
      ids = this.#listed;
      this.sweep();
    }
    const groups: Array<[string, Sources]> = ids.map((id) => [id, this.#sourcesOf(id)]);
    const exporterWide = (scope.exporterWide ?? scope.orgs === undefined) && this.#o.collectors.some((c) => c.definition.scope === 'exporter');
    const exporterSources = exporterWide ? (this.#exporter ??= this.#makeSources('')) : undefined;

    const waits = [...groups.map(([, s]) => s), ...(exporterSources ? [exporterSources] : [])].flatMap((sources) => refreshAll(sources, wanted, asked));
    if (waits.length > 0) await Promise.race([Promise.allSettled(waits), deadline]);

    return {
      collectors: this.#o.collectors,
      orgs: groups.map(([orgId, sources]) => this.#view(orgId, sources, wanted)),
      exporter: exporterSources ? this.#view('', exporterSources, wanted) : undefined,
      orgListFailed,
    };
  }

  /**
   * The view as it stands, for the status page: every org collected so far and the
   * exporter-wide collectors, without starting, joining or waiting for a collection.
   */
  snapshot(): CollectionView {
    const all = (): boolean => true;
    return {
      collectors: this.#o.collectors,
      orgs: [...this.#orgs].map(([orgId, sources]) => this.#view(orgId, sources, all)),
      exporter: this.#exporter ? this.#view('', this.#exporter, all) : undefined,
      orgListFailed: this.#o.orgs.failing,
    };
  }

  #view(orgId: string, sources: Sources, wanted: (i: number) => boolean): OrgView {
    const views = sources.map((s, i) => (s && wanted(i) ? s.view() : undefined));
    const primary = this.#primaryIndex >= 0 ? views[this.#primaryIndex] : undefined;
    const present = views.filter((v) => v !== undefined);
    const up = primary !== undefined ? primary.up : present.length > 0 && present.every((v) => v.up);
    return { orgId, sources: views, up, primary };
  }

  /** Orgs named only by probes that the engine keeps now. */
  get probedOnly(): number {
    let n = 0;
    for (const id of this.#probed.keys()) if (!this.#listedSet.has(id)) n++;
    return n;
  }

  /**
   * Forgets the orgs named only by probes that have not been probed for
   * {@link ProbeLimits.idleMs}. Runs on every scrape and probe; the caller may also run it
   * on a timer so that idle orgs go while nothing scrapes.
   */
  sweep(): void {
    const limits = this.#o.probes;
    if (limits === undefined) return;
    const now = this.#o.clock.now();
    for (const [id, at] of this.#probed) {
      if (now - at < limits.idleMs) break;
      this.#probed.delete(id);
      if (!this.#listedSet.has(id)) this.#drop(id);
    }
    if (this.#full && this.probedOnly < limits.maxOrgs) {
      this.#full = false;
      this.#o.logger.info({ limit: limits.maxOrgs }, 'probes of further orgs are accepted again (--probe.max-orgs)');
    }
  }

  /**
   * Records a probe of `ids` (least recently probed first in {@link #probed}), after
   * checking that the orgs not tracked yet fit within {@link ProbeLimits.maxOrgs}.
   *
   * @throws ProbeLimitError when they do not fit
   */
  #touch(ids: readonly string[]): void {
    const limits = this.#o.probes;
    this.sweep();
    if (limits !== undefined) {
      const fresh = ids.filter((id) => !this.#listedSet.has(id) && !this.#probed.has(id)).length;
      if (fresh > 0 && this.probedOnly + fresh > limits.maxOrgs) {
        if (!this.#full) {
          this.#full = true;
          this.#o.logger.warn({ limit: limits.maxOrgs }, 'probes name as many orgs as --probe.max-orgs allows; probes of further orgs get 429 until some fall idle (--probe.idle)');
        }
        throw new ProbeLimitError(limits.maxOrgs);
      }
    }
    const now = this.#o.clock.now();
    for (const id of ids) {
      this.#probed.delete(id);
      this.#probed.set(id, now);
    }
  }

  /** The sources of an org of the org list, or of an org named by a probe. */
  #sourcesOf(orgId: string): Sources {
    let sources = this.#orgs.get(orgId);
    if (sources === undefined) {
      sources = this.#makeSources(orgId);
      this.#orgs.set(orgId, sources);
    }
    return sources;
  }

  /** Takes `ids` as the org list: orgs that left it are dropped unless a probe still names them. */
  #sync(ids: readonly string[]): void {
    if (ids === this.#synced) return;
    this.#synced = ids;
    const wanted = [...new Set(ids)].sort();
    const known = this.#listed;
    if (known.length === wanted.length && known.every((id, i) => id === wanted[i])) return;
    const next = new Set(wanted);
    for (const id of known) if (!next.has(id) && !this.#probed.has(id)) this.#drop(id);
    this.#listed = wanted;
    this.#listedSet = next;
  }

  /** Drops the caches of an org and tells {@link EngineOptions.forget}. */
  #drop(orgId: string): void {
    if (!this.#orgs.delete(orgId)) return;
    this.#o.forget?.(orgId);
  }

  #makeSources(orgId: string): Sources {
    const scope = orgId === '' ? 'exporter' : 'org';
    const sources: Array<SourceCache<unknown> | undefined> = [];
    const byName = new Map<string, SourceCache<unknown>>();
    const failures = new OrgFailures();
    const tokensFor = (id: string): TokenManager => this.#o.tokens(id, id !== '' && !this.#listedSet.has(id));
    for (const active of this.#o.collectors) {
      const def = active.definition;
      if ((def.scope ?? 'org') !== scope) {
        sources.push(undefined);
        continue;
      }
      const ctx: FetchContext = {
        orgId,
        vmc: this.#o.vmc,
        get tokens() {
          return tokensFor(orgId);
        },
        options: active.options,
        now: () => this.#o.clock.now(),
        listedOrg: () => (orgId === '' ? undefined : this.#o.orgs.listed?.(orgId)),
        dependency: async <D>(name: string): Promise<D | undefined> => {
          if (!(def.dependsOn ?? []).includes(name)) throw new Error(`collector ${def.name} reads ${name} without declaring it in dependsOn`);
          return (await byName.get(name)?.lastGood()) as D | undefined;
        },
      };
      const cache = new SourceCache<unknown>({
        orgId,
        collector: def.name,
        failures,
        fetch: () => def.fetch(ctx),
        clock: this.#o.clock,
        ttlMs: active.ttlMs,
        maxStaleMs: this.#o.maxStaleMs,
        logger: this.#o.logger,
        ...(def.problems ? { problems: (d: unknown) => def.problems!(d) } : {}),
        ...(def.forbiddenHint ? { forbiddenHint: def.forbiddenHint } : {}),
        ...(this.#o.scrub ? { scrub: this.#o.scrub } : {}),
      });
      byName.set(def.name, cache);
      sources.push(cache);
    }
    return sources;
  }
}

/**
 * Starts (or joins) the due collections of `sources` that the scrape asks for, asking each
 * cache once per scrape (`asked`); the promises to wait for.
 */
function refreshAll(sources: Sources, wanted: (i: number) => boolean, asked: Map<SourceCache<unknown>, Promise<void> | undefined>): Array<Promise<void>> {
  const waits: Array<Promise<void>> = [];
  sources.forEach((s, i) => {
    if (s === undefined || !wanted(i)) return;
    if (!asked.has(s)) asked.set(s, s.refresh());
    const p = asked.get(s);
    if (p) waits.push(p);
  });
  return waits;
}
