/**
 * Duration parsing for flags like `--cache.ttl`: plain seconds (`60`, `0.5`) or
 * Prometheus durations (`90s`, `5m`, `1h`, `1m30s`, `500ms`, `1d`). Pure, no I/O.
 */

/** Plain seconds: `60`, `0`, `0.5`, `.5`. No sign, no exponent, no hex. */
const SECONDS = /^(?:\d+(?:\.\d+)?|\.\d+)$/;

/**
 * Prometheus duration: integer amounts with units in descending order, each at most
 * once (`1h30m`, not `30m1h`). Same grammar as `model.ParseDuration` in Prometheus.
 */
const PROMETHEUS = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Seconds per unit, in the order of the capture groups of {@link PROMETHEUS}. */
const UNIT_SECONDS = [365 * 86_400, 7 * 86_400, 86_400, 3_600, 60, 1, 0.001] as const;

/**
 * Parses a non-negative duration.
 *
 * @param text - `60`, `0.5`, `90s`, `5m`, `1h`, `1m30s`, `500ms`, `1d`, `2w`, `1y`
 * @returns the duration in seconds, or `undefined` when `text` is not a non-negative
 *   duration (negative, empty, unknown unit, `NaN`, `Infinity`, or too large to be finite)
 */
export function parseDuration(text: string): number | undefined {
  if (SECONDS.test(text)) return finite(Number(text));
  if (text === '') return undefined;
  const match = PROMETHEUS.exec(text);
  if (!match) return undefined;
  let seconds = 0;
  UNIT_SECONDS.forEach((unit, i) => {
    const amount = match[i + 1];
    if (amount !== undefined) seconds += Number(amount) * unit;
  });
  return finite(seconds);
}

/**
 * Tells whether `text` is a negative duration such as `-1` or `-5m`, so that callers can
 * say "must not be negative" instead of "is not a duration".
 *
 * @param text - the raw flag value
 */
export function isNegativeDuration(text: string): boolean {
  if (!text.startsWith('-')) return false;
  return parseDuration(text.slice(1)) !== undefined;
}

function finite(n: number): number | undefined {
  return Number.isFinite(n) ? n : undefined;
}
