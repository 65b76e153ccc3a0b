import type { Logger } from 'pino';
import type { Clock } from '../lib/clock.js';
import { UpstreamError } from '../upstream/errors.js';
import { DependencyUnavailableError } from './collector.js';

/** What one scrape shows of one collector for one org. */
export interface SourceView<T = unknown> {
  /** `vmc_collector_success` (and `vmc_up` for the SDDC collector): the last collection succeeded and none is overdue. */
  readonly up: boolean;
  /** The data to show: fresh, or the last good data while it is not too stale; else undefined. */
  readonly data: T | undefined;
  /** `vmc_collector_duration_seconds`: duration of the last completed collection. */
  readonly durationSeconds: number | undefined;
  /** Unix seconds of the last successful collection. */
  readonly lastSuccessSeconds: number | undefined;
  /** The message of the last failure, scrubbed of secrets, while the collector is failing; undefined after a success. */
  readonly lastError?: string;
  /** Changes whenever anything above but `up` changes: a cache key for rendering. */
  readonly key: string;
}

/** Dependencies of {@link SourceCache}. */
export interface SourceCacheOptions<T> {
  /** The org (`''` for an exporter-wide collector). */
  readonly orgId: string;
  /** The collector's name, for logs. */
  readonly collector: string;
  /** Fetches and parses the data (token, retries and call budget inside). */
  readonly fetch: () => Promise<T>;
  /** Time source. */
  readonly clock: Clock;
  /** The collector's TTL in ms (0 = every scrape fetches). */
  readonly ttlMs: number;
  /** `--cache.max-stale` in ms, counted from when the data fell due (0 = never stale). */
  readonly maxStaleMs: number;
  /** Logs failures on change, not once per scrape. */
  readonly logger: Logger;
  /** Skipped or merged entries of a result, logged when they change. */
  readonly problems?: (data: T) => readonly string[];
  /** The org's failures, shared by its collectors so that one cause is logged once. */
  readonly failures?: OrgFailures;
  /** What a 403 most likely means (a missing role), for the log line. */
  readonly forbiddenHint?: string;
  /** Scrubs secrets out of the kept error message (the status page shows it). @default removes nothing */
  readonly scrub?: (text: string) => string;
}

/**
 * The reasons the collectors of one org currently fail for. A token that CSP refuses fails
 * every collector of the org the same way: the first to meet a reason logs it, the others
 * only at debug, until every collector failing for it has recovered.
 */
export class OrgFailures {
  readonly #byCollector = new Map<string, string>();

  /** Records that `collector` fails for `reason`; true when no other collector of the org does. */
  claim(collector: string, reason: string): boolean {
    this.#byCollector.delete(collector);
    const first = ![...this.#byCollector.values()].includes(reason);
    this.#byCollector.set(collector, reason);
    return first;
  }

  /** `collector` works again. */
  release(collector: string): void {
    this.#byCollector.delete(collector);
  }
}

let instances = 0;

/** Longest `Retry-After` honoured; a larger one (say a day) must not silence a collector that long. */
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
 * A client error that asking again soon will not cure (a missing role, an unknown path):
 * the next attempt waits for the TTL. 401 (token), 408 and 429 are not among them.
 */
function needsAHuman(err: unknown): boolean {
  if (!(err instanceof UpstreamError) || err.failure !== 'http' || err.status === undefined) return false;
  return err.status >= 400 && err.status < 500 && ![401, 408, 429].includes(err.status);
}

/**
 * One collector's data for one org, through a cache: data younger than the TTL is served
 * as is; older data triggers one collection that every concurrent scrape shares (single
 * flight). A collection outlives a scrape that gives up on it, so the next scrape gets the
 * fresh data. A failure keeps the last good data for `maxStaleMs` after it fell due (last
 * success + TTL), honours the upstream's Retry-After (up to {@link MAX_RETRY_AFTER_MS}),
 * waits for the TTL after a client error such as 403, and is logged when the state or the
 * reason changes; skipped entries are logged when the set of problems changes.
 */
export class SourceCache<T> {
  readonly #o: SourceCacheOptions<T>;
  readonly #id = ++instances;
  #good: { data: T; at: number } | undefined;
  #lastOk = false;
  #lastError = '';
  #lastErrorMessage: string | undefined;
  #lastProblems = '';
  #durationSeconds: number | undefined;
  #version = 0;
  #inflight: Promise<void> | undefined;
  #notBefore = 0;

  /** @param opts - see {@link SourceCacheOptions} */
  constructor(opts: SourceCacheOptions<T>) {
    this.#o = opts;
  }

  /**
   * Starts a collection when the cached data is due for one (or joins the running one) and
   * returns the promise to wait for; undefined when the cache can answer now.
   *
   * @param schedule - runs the collection (the engine's bookkeeping around it)
   */
  refresh(schedule: (task: () => Promise<void>) => Promise<void> = (task) => task()): Promise<void> | undefined {
    if (this.#inflight) return this.#inflight;
    const now = this.#o.clock.now();
    if (this.#lastOk && this.#good && now - this.#good.at < this.#o.ttlMs) return undefined;
    if (now < this.#notBefore) return undefined;
    this.#inflight = schedule(() => this.#collect()).finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  /** The last good data, after the running collection (if any) has ended. */
  async lastGood(): Promise<T | undefined> {
    if (this.#inflight) await this.#inflight;
    return this.#good?.data;
  }

  /** What a scrape shows now. A collection still running when the data is due counts as failing. */
  view(): SourceView<T> {
    const now = this.#o.clock.now();
    const { ttlMs, maxStaleMs } = this.#o;
    const good = this.#good;
    const overdue = good !== undefined && now - good.at >= ttlMs;
    const up = this.#lastOk && this.#version > 0 && !(this.#inflight && overdue);
    const served = good && (up || (maxStaleMs > 0 && now - good.at < ttlMs + maxStaleMs)) ? good : undefined;
    return {
      up,
      data: served?.data,
      durationSeconds: this.#durationSeconds,
      lastSuccessSeconds: good ? good.at / 1000 : undefined,
      ...(this.#lastErrorMessage === undefined ? {} : { lastError: this.#lastErrorMessage }),
      key: `${this.#id}:${this.#version}:${served ? 1 : 0}`,
    };
  }

  async #collect(): Promise<void> {
    const { clock, logger, orgId, collector } = this.#o;
    const started = performance.now();
    try {
      const data = await this.#o.fetch();
      this.#good = { data, at: clock.now() };
      if (!this.#lastOk && this.#version > 0) logger.info({ org_id: orgId, collector }, 'collection of the org recovered');
      this.#lastOk = true;
      this.#lastError = '';
      this.#o.failures?.release(collector);
      this.#lastErrorMessage = undefined;
      this.#notBefore = 0;
      const problems = this.#o.problems?.(data) ?? [];
      const joined = problems.join('\n');
      if (joined !== this.#lastProblems && problems.length > 0) {
        logger.warn({ org_id: orgId, collector, problems: problems.slice(0, 20), count: problems.length }, 'collected data had entries that were skipped or merged');
      }
      this.#lastProblems = joined;
    } catch (err) {
      this.#lastOk = false;
      const text = err instanceof Error ? err.message : String(err);
      this.#lastErrorMessage = (this.#o.scrub ?? ((t: string) => t))(text.split('\n')[0] ?? '');
      const reason = failureReason(err);
      if (err instanceof UpstreamError && err.retryAfterMs !== undefined) {
        this.#notBefore = clock.now() + Math.min(err.retryAfterMs, MAX_RETRY_AFTER_MS);
      } else if (needsAHuman(err)) {
        this.#notBefore = clock.now() + this.#o.ttlMs;
      }
      if (reason === this.#lastError) logger.debug({ org_id: orgId, collector, err }, 'collection of the org failed again');
      else if (err instanceof DependencyUnavailableError) logger.debug({ org_id: orgId, collector, err }, 'collection of the org waits for another collector');
      else if (this.#o.failures?.claim(collector, reason) === false) {
        logger.debug({ org_id: orgId, collector, err }, 'collection of the org failed for the reason another collector of the org logged');
      } else logger.warn({ org_id: orgId, collector, err, ...this.#hint(err) }, 'collection of the org failed');
      this.#lastError = reason;
    } finally {
      this.#durationSeconds = (performance.now() - started) / 1000;
      this.#version++;
    }
  }

  /** For a 403: what is likely missing and how to turn the collector off. */
  #hint(err: unknown): { hint?: string } {
    if (!(err instanceof UpstreamError) || err.status !== 403) return {};
    const missing = this.#o.forbiddenHint ?? 'a VMC service role';
    return { hint: `access denied: the credentials likely lack ${missing}; fix the role, or turn the collector off with --no-collector.${this.#o.collector}` };
  }
}
