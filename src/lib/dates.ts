/**
 * Lenient reading of the dates VMC types as plain strings and does not document
 * (subscription dates, a reservation's `start_date`). Pure, no I/O.
 */

/** An RFC 3339 / ISO 8601 date-time with a zone (fractions of any length). */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})$/;
/** An ISO date-time without a zone: read as UTC. */
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/;
/** A calendar date. */
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Epoch digits. */
const EPOCH = /^\d{9,16}$/;

/** Epoch values above this are milliseconds, at or below it seconds (10^11 s is the year 5138). */
export const MILLISECONDS_ABOVE = 1e11;

/**
 * An epoch number as Unix seconds: a value above {@link MILLISECONDS_ABOVE} is taken as
 * milliseconds, any other as seconds.
 */
export function epochToSeconds(value: number): number {
  return value > MILLISECONDS_ABOVE ? value / 1000 : value;
}

/** A parsed date: the instant, and whether the text carried a time of day. */
export interface LenientDate {
  /** Unix seconds. */
  readonly seconds: number;
  /** False for a bare calendar date (`yyyy-MM-dd`, read as 00:00 UTC). */
  readonly hasTime: boolean;
}

/**
 * Reads a date written as an RFC 3339 date-time (a date-time without a zone is UTC), a
 * `yyyy-MM-dd` calendar date (00:00 UTC of that day), or epoch digits (seconds or
 * milliseconds, told apart by magnitude). Anything else, an impossible calendar date
 * included, is undefined.
 */
export function parseLenientDate(value: unknown): LenientDate | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? { seconds: epochToSeconds(value), hasTime: true } : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (DATE_TIME.test(text) || LOCAL_DATE_TIME.test(text)) {
    const ms = Date.parse(LOCAL_DATE_TIME.test(text) ? `${text}Z` : text);
    return Number.isFinite(ms) ? { seconds: ms / 1000, hasTime: true } : undefined;
  }
  const d = DATE.exec(text);
  if (d !== null) {
    const [y, m, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
    const ms = Date.UTC(y, m - 1, day);
    const back = new Date(ms);
    if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== day) return undefined;
    return { seconds: ms / 1000, hasTime: false };
  }
  if (EPOCH.test(text)) return { seconds: epochToSeconds(Number(text)), hasTime: true };
  return undefined;
}
