import type { Logger } from 'pino';
import type { Clock } from '../lib/clock.js';
import type { SddcList } from '../vmc/types.js';
import { UpstreamError } from '../upstream/errors.js';

/** What one scrape shows of one org. */
export interface OrgView {
  /** The org id (`org_id` label). */
  readonly orgId: string;
  /** `vmc_up`: the last collection succeeded and none is overdue. */
  readonly up: boolean;
  /** The SDDCs to show: fresh, or the last good ones while younger than max-stale; else undefined. */
  readonly data: SddcList | undefined;
  /** `vmc_scrape_duration_seconds`: duration of the last completed collection. */
  readonly durationSeconds: number | undefined;
  /** `vmc_last_success_timestamp_seconds`. */
  readonly lastSuccessSeconds: number | undefined;
  /** Changes whenever anything above but `up` changes: a cache key for rendering. */
  readonly key: string;
}

/** Dependencies of {@link OrgCollector}. */
export interface OrgCollectorOptions {
  /** The org. */
  readonly orgId: string;
  /** Fetches and parses the org's SDDC list (token, retries and deadline inside). */
  readonly fetch: () => Promise<SddcList>;
  /** Time source. */
  readonly clock: Clock;
  /** `--cache.ttl` in ms (0 = every scrape fetches). */
  readonly ttlMs: number;
  /** `--cache.max-stale` in ms (0 = never serve stale values). */
  readonly maxStaleMs: number;
  /** Logs failures on change, not once per scrape. */
  readonly logger: Logger;
  /** Runs a collection within the concurrency bound. */
  readonly schedule: <T>(task: () => Promise<T>) => Promise<T>;
}

let instances = 0;

/** Longest `Retry-After` honoured; a larger one (say a day) must not silence an org that long. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

/**
 * What makes two failures "the same" for logging: the kind of failure, the HTTP status and
 * the upstream's error code, not the message text (which names a remaining time budget).
 */
function failureReason(err: unknown): string {
  if (err instanceof UpstreamError) return `${err.failure}|${err.status ?? ''}|${err.upstreamCode ?? ''}`;
  if (err instanceof Error) return `${err.name}|${(err as { code?: unknown }).code ?? ''}|${err.message}`;
  return String(err);
}

/**
 * Collects one org's SDDCs through a cache: data younger than the TTL is served as is; an
 * older one triggers one collection that every concurrent scrape shares (single flight).
 * A collection outlives a scrape that gives up on it, so the next scrape gets fresh data.
 * A failure keeps the last good data for `maxStaleMs`, honours the upstream's Retry-After
 * (up to {@link MAX_RETRY_AFTER_MS}) before asking again, and is logged when the state or the
 * reason changes; skipped SDDC entries are logged when the set of problems changes.
 */
export class OrgCollector {
  readonly #o: OrgCollectorOptions;
  readonly #id = ++instances;
  #good: { list: SddcList; at: number } | undefined;
  #lastOk = false;
  #lastError = '';
  #lastProblems = '';
  #durationSeconds: number | undefined;
  #version = 0;
  #inflight: Promise<void> | undefined;
  #notBefore = 0;

  /** @param opts - see {@link OrgCollectorOptions} */
  constructor(opts: OrgCollectorOptions) {
    this.#o = opts;
  }

  /** The org id. */
  get orgId(): string {
    return this.#o.orgId;
  }

  /**
   * Starts a collection when the cached data is due for one (or joins the running one) and
   * returns the promise to wait for; undefined when the cache can answer now.
   */
  refresh(): Promise<void> | undefined {
    if (this.#inflight) return this.#inflight;
    const now = this.#o.clock.now();
    if (this.#lastOk && this.#good && now - this.#good.at < this.#o.ttlMs) return undefined;
    if (now < this.#notBefore) return undefined;
    this.#inflight = this.#o.schedule(() => this.#collect()).finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  /** What a scrape shows now. A collection still running at this point counts as failing. */
  view(): OrgView {
    const now = this.#o.clock.now();
    const up = this.#lastOk && this.#version > 0 && !(this.#inflight && this.#good !== undefined && now - this.#good.at >= this.#o.ttlMs);
    const good = this.#good;
    const served = good && (up || now - good.at < this.#o.maxStaleMs) ? good : undefined;
    const lastSuccessSeconds = good ? good.at / 1000 : undefined;
    return {
      orgId: this.#o.orgId,
      up,
      data: served?.list,
      durationSeconds: this.#durationSeconds,
      lastSuccessSeconds,
      key: `${this.#id}:${this.#version}:${served ? 1 : 0}`,
    };
  }

  async #collect(): Promise<void> {
    const { clock, logger, orgId } = this.#o;
    const started = performance.now();
    try {
      const list = await this.#o.fetch();
      this.#good = { list, at: clock.now() };
      if (!this.#lastOk && this.#version > 0) logger.info({ org_id: orgId }, 'collection of the org recovered');
      this.#lastOk = true;
      this.#lastError = '';
      this.#notBefore = 0;
      const problems = list.problems.join('\n');
      if (problems !== this.#lastProblems && list.problems.length > 0) {
        logger.warn({ org_id: orgId, problems: list.problems.slice(0, 20), count: list.problems.length }, 'SDDC list had entries that were skipped or merged');
      }
      this.#lastProblems = problems;
    } catch (err) {
      this.#lastOk = false;
      const reason = failureReason(err);
      if (err instanceof UpstreamError && err.retryAfterMs !== undefined) {
        this.#notBefore = clock.now() + Math.min(err.retryAfterMs, MAX_RETRY_AFTER_MS);
      }
      if (reason !== this.#lastError) logger.warn({ org_id: orgId, err }, 'collection of the org failed');
      else logger.debug({ org_id: orgId, err }, 'collection of the org failed again');
      this.#lastError = reason;
    } finally {
      this.#durationSeconds = (performance.now() - started) / 1000;
      this.#version++;
    }
  }
}
