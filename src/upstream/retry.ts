import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../lib/clock.js';
import { UpstreamError } from './errors.js';

/** How hard to retry one upstream call. */
export interface RetryPolicy {
  /** Attempts in all, the first included. @default 4 */
  readonly maxAttempts: number;
  /** Backoff before the second attempt (before jitter), ms. @default 250 */
  readonly baseDelayMs: number;
  /** Upper bound of one backoff, ms. @default 5000 */
  readonly maxDelayMs: number;
}

/** The default policy. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({ maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 5000 });

/** Dependencies of {@link withRetries}; injected so tests run without real waiting. */
export interface RetryOptions {
  /** Absolute time (clock ms) after which no attempt starts and no wait is worth it. */
  readonly giveUpAt: number;
  /** Time source. */
  readonly clock: Clock;
  /** Aborts waiting. */
  readonly signal?: AbortSignal | undefined;
  /** Waits `ms`; rejects if `signal` aborts. @default timers/promises setTimeout */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Uniform random in [0, 1) for jitter. @default Math.random */
  readonly random?: () => number;
  /** @default DEFAULT_RETRY_POLICY */
  readonly policy?: RetryPolicy;
}

/**
 * The least time worth giving an attempt, ms: a retry that would have less fails with the
 * previous attempt's error, which says what the upstream answered, rather than with a
 * timeout that says only that no time was left.
 */
export const MIN_ATTEMPT_MS = 100;

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> => delay(ms, undefined, { signal });

/**
 * Runs `attempt` until it succeeds, retrying only what is worth retrying:
 * 429 and 503 after their `Retry-After` (or backoff when absent), other 5xx, timeouts and
 * network errors after exponential backoff with full jitter. Other 4xx, malformed and
 * oversized bodies fail at once. Never waits past `giveUpAt`: when the wait the upstream asks
 * for, plus {@link MIN_ATTEMPT_MS} for the attempt after it, does not fit, the error is thrown
 * as is (its `retryAfterMs` tells the caller when to come back).
 *
 * @param attempt - one try; receives the ms left until `giveUpAt` (its timeout)
 */
export async function withRetries<T>(attempt: (remainingMs: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const policy = opts.policy ?? DEFAULT_RETRY_POLICY;
  const sleep = opts.sleep ?? defaultSleep;
  const random = opts.random ?? Math.random;
  for (let n = 1; ; n++) {
    const remaining = opts.giveUpAt - opts.clock.now();
    try {
      return await attempt(Math.max(1, remaining));
    } catch (err) {
      if (n >= policy.maxAttempts || !(err instanceof UpstreamError)) throw err;
      const wait = retryDelay(err, n, policy, random);
      if (wait === undefined || opts.clock.now() + wait + MIN_ATTEMPT_MS > opts.giveUpAt) throw err;
      await sleep(wait, opts.signal);
      // A wait that overran (a busy event loop) may leave too little for another attempt.
      if (opts.giveUpAt - opts.clock.now() < MIN_ATTEMPT_MS) throw err;
    }
  }
}

/** The wait before attempt `n + 1`, or undefined when `err` is not worth retrying. */
export function retryDelay(err: UpstreamError, n: number, policy: RetryPolicy, random: () => number): number | undefined {
  const backoff = random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
  switch (err.failure) {
    case 'network':
    case 'timeout':
      return backoff;
    case 'http': {
      const status = err.status ?? 0;
      if (status === 429 || status === 503) return err.retryAfterMs ?? backoff;
      return status >= 500 ? backoff : undefined;
    }
    default:
      return undefined;
  }
}
