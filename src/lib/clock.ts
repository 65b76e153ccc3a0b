/**
 * A source of wall-clock time in milliseconds since the Unix epoch.
 *
 * Everything that reasons about expiry, cache age or backoff takes a Clock so that
 * tests can drive time by hand instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch, like `Date.now()`. */
  now(): number;
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to; for tests and the simulator's fast-forward. */
export class ManualClock implements Clock {
  #now: number;

  /** @param start - initial time in ms since the epoch (default 2026-01-01T00:00:00Z). */
  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  /** Current time in ms. */
  now(): number {
    return this.#now;
  }

  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.#now += ms;
  }

  /** Sets the clock to an absolute time in ms. */
  set(ms: number): void {
    this.#now = ms;
  }
}
