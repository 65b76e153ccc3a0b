import type { Logger } from 'pino';
import type { TokenManager } from '../auth/token-manager.js';
import type { Clock } from '../lib/clock.js';
import type { VmcClient } from '../vmc/vmc-client.js';
import type { ActiveCollector, FetchContext } from './collector.js';
import type { OrgSource } from './org-discovery.js';
import { SourceCache, type SourceView } from './source-cache.js';

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
  /** Only these orgs (a probe); they need not be in the org list. @default the org list */
  readonly orgs?: readonly string[];
  /** Only these collectors, by name. @default every active collector */
  readonly collectors?: ReadonlySet<string>;
  /** Include the exporter-wide collectors. @default true without `orgs` */
  readonly exporterWide?: boolean;
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
  /** The token for calls about an org (`''` for exporter-wide collectors). */
  readonly tokens: (orgId: string) => TokenManager;
  /** Time source. */
  readonly clock: Clock;
  /** `--cache.max-stale` in ms. */
  readonly maxStaleMs: number;
  /** Logger. */
  readonly logger: Logger;
  /** Scrubs secrets out of the error messages the views keep. @default removes nothing */
  readonly scrub?: (text: string) => string;
}

/** The sources of one org, aligned with the active collectors. */
type Sources = ReadonlyArray<SourceCache<unknown> | undefined>;

/**
 * Runs the collectors for a scrape: asks each (org, collector) cache for fresh data, waits
 * for the collections it started or joined until the scrape's deadline, and returns what
 * to show. Orgs that vanish from the org list vanish from the output. A failing collector
 * never affects another one: each has its own cache, state and failure log.
 */
export class CollectionEngine {
  readonly #o: EngineOptions;
  #orgs = new Map<string, Sources>();
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
    let ids: readonly string[];
    let orgListFailed = false;
    if (scope.orgs !== undefined) {
      ids = [...new Set(scope.orgs)].sort();
    } else {
      const listed = await Promise.race([this.#o.orgs.orgIds(), deadline.then(() => undefined)]);
      if (listed === undefined) orgListFailed = true;
      else {
        this.#sync(listed);
        orgListFailed = this.#o.orgs.failing;
      }
      ids = [...this.#orgs.keys()];
    }
    const groups: Array<[string, Sources]> = ids.map((id) => [id, this.#sourcesOf(id)]);
    const exporterWide = (scope.exporterWide ?? scope.orgs === undefined) && this.#o.collectors.some((c) => c.definition.scope === 'exporter');
    const exporterSources = exporterWide ? (this.#exporter ??= this.#makeSources('')) : undefined;

    const waits: Array<Promise<void>> = [];
    for (const sources of [...groups.map(([, s]) => s), ...(exporterSources ? [exporterSources] : [])]) {
      sources.forEach((s, i) => {
        const p = s && wanted(i) ? s.refresh() : undefined;
        if (p) waits.push(p);
      });
    }
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

  /** The sources of an org of the org list, or of an org named by a probe. */
  #sourcesOf(orgId: string): Sources {
    let sources = this.#orgs.get(orgId);
    if (sources === undefined) {
      sources = this.#makeSources(orgId);
      this.#orgs.set(orgId, sources);
    }
    return sources;
  }

  /** Keeps the sources of the listed orgs, drops the others; sorted by id. */
  #sync(ids: readonly string[]): void {
    const known = [...this.#orgs.keys()];
    const wanted = [...new Set(ids)].sort();
    if (known.length === wanted.length && known.every((id, i) => id === wanted[i])) return;
    const next = new Map<string, Sources>();
    for (const id of wanted) next.set(id, this.#orgs.get(id) ?? this.#makeSources(id));
    this.#orgs = next;
  }

  #makeSources(orgId: string): Sources {
    const scope = orgId === '' ? 'exporter' : 'org';
    const sources: Array<SourceCache<unknown> | undefined> = [];
    const byName = new Map<string, SourceCache<unknown>>();
    const tokensFor = this.#o.tokens;
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
