/**
 * The simulator's time source. Structurally the same as the exporter's `Clock`, so a test can
 * hand both sides one manual clock; the simulator itself imports nothing from the exporter.
 */

/** A source of wall-clock time in milliseconds since the Unix epoch. */
export interface Clock {
  /** Milliseconds since the Unix epoch, like `Date.now()`. */
  now(): number;
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };
