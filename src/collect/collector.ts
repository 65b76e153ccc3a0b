import type { Logger } from 'pino';
import type { Clock } from '../lib/clock.js';
import type { SddcList } from '../vmc/types.js';
import { OrgCollector, type OrgView } from './org-collector.js';
import type { OrgSource } from './org-discovery.js';
import { Semaphore } from './semaphore.js';

/** What one scrape shows. */
export interface CollectionView {
  /** One entry per org, sorted by org id. */
  readonly orgs: readonly OrgView[];
  /** True when the org list is unknown because listing orgs failed (`vmc_up{org_id=""} 0`). */
  readonly orgListFailed: boolean;
}

/** Dependencies of {@link Collector}. */
export interface CollectorOptions {
  /** The orgs to collect. */
  readonly orgs: OrgSource;
  /** Fetches one org's SDDCs. */
  readonly fetchSddcs: (orgId: string) => Promise<SddcList>;
  /** Time source. */
  readonly clock: Clock;
  /** `--cache.ttl` in ms. */
  readonly ttlMs: number;
  /** `--cache.max-stale` in ms. */
  readonly maxStaleMs: number;
  /** `--vmc.concurrency`. */
  readonly concurrency: number;
  /** Logger. */
  readonly logger: Logger;
}

/**
 * Collects every org for a scrape: asks each org's cache for fresh data, waits for the
 * collections it started (or joined) until the scrape's deadline, and returns what to show.
 * Orgs that vanish from the org list vanish from the output.
 */
export class Collector {
  readonly #o: CollectorOptions;
  readonly #semaphore: Semaphore;
  readonly #orgs = new Map<string, OrgCollector>();

  /** @param opts - see {@link CollectorOptions} */
  constructor(opts: CollectorOptions) {
    this.#o = opts;
    this.#semaphore = new Semaphore(opts.concurrency);
  }

  /**
   * Returns the view for one scrape, waiting for due collections until `deadline` settles.
   * @param deadline - resolves when the scrape must answer
   */
  async collect(deadline: Promise<void>): Promise<CollectionView> {
    const ids = await Promise.race([this.#o.orgs.orgIds(), deadline.then(() => undefined)]);
    if (ids === undefined) {
      return { orgs: [...this.#orgs.values()].map((c) => c.view()), orgListFailed: true };
    }
    this.#sync(ids);
    const waits = [...this.#orgs.values()].map((c) => c.refresh()).filter((p) => p !== undefined);
    if (waits.length > 0) await Promise.race([Promise.allSettled(waits), deadline]);
    return { orgs: [...this.#orgs.values()].map((c) => c.view()), orgListFailed: this.#o.orgs.failing };
  }

  /** Keeps one OrgCollector per listed org, sorted by id. */
  #sync(ids: readonly string[]): void {
    const wanted = new Set(ids);
    const known = [...this.#orgs.keys()];
    if (known.length === wanted.size && known.every((id) => wanted.has(id))) return;
    const next = new Map<string, OrgCollector>();
    for (const id of [...wanted].sort()) {
      next.set(
        id,
        this.#orgs.get(id) ??
          new OrgCollector({
            orgId: id,
            fetch: () => this.#o.fetchSddcs(id),
            clock: this.#o.clock,
            ttlMs: this.#o.ttlMs,
            maxStaleMs: this.#o.maxStaleMs,
            logger: this.#o.logger,
            schedule: (task) => this.#semaphore.run(task),
          }),
      );
    }
    this.#orgs.clear();
    for (const [id, c] of next) this.#orgs.set(id, c);
  }
}
