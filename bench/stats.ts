/** Small statistics helpers shared by the load generator and the orchestrator. */

/** Latency distribution of a set of samples, in ms. */
export interface LatencySummary {
  /** Number of samples. */
  readonly count: number;
  /** Smallest sample. */
  readonly min: number;
  /** Arithmetic mean. */
  readonly mean: number;
  /** Median. */
  readonly p50: number;
  /** 90th percentile. */
  readonly p90: number;
  /** 99th percentile. */
  readonly p99: number;
  /** Largest sample. */
  readonly max: number;
}

/**
 * The `q`-quantile (0..1) of ascending-sorted samples, nearest-rank method (the smallest
 * sample with at least `q` of the samples at or below it); NaN when empty.
 */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? Number.NaN;
}

/** Median of `values` (mean of the two middle ones for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** Summarizes latency samples (ms). */
export function summarize(samples: readonly number[]): LatencySummary {
  const s = [...samples].sort((a, b) => a - b);
  const sum = s.reduce((a, b) => a + b, 0);
  return {
    count: s.length,
    min: s[0] ?? Number.NaN,
    mean: s.length > 0 ? sum / s.length : Number.NaN,
    p50: quantileSorted(s, 0.5),
    p90: quantileSorted(s, 0.9),
    p99: quantileSorted(s, 0.99),
    max: s[s.length - 1] ?? Number.NaN,
  };
}
