/**
 * The load generator, run as its own child process so that nothing else shares its event
 * loop: `node --import tsx bench/load.ts '<LoadSpec JSON>'` prints one {@link LoadResult}
 * JSON line on stdout and exits.
 *
 * `concurrency` clients (one keep-alive connection each, no pipelining) loop: send a GET,
 * read the whole body, record the latency from sending to the last byte, repeat. The run
 * ends after `durationMs` (requests still in flight are finished and counted) or after
 * `total` requests. Bodies are read as raw bytes (gzip is not decoded), so the client
 * costs the same for every server it is pointed at.
 */
import { Pool } from 'undici';
import { fileURLToPath } from 'node:url';
import { summarize, type LatencySummary } from './stats.js';

/** What one load run does. */
export interface LoadSpec {
  /** Origin, e.g. `http://127.0.0.1:10040`. */
  readonly origin: string;
  /** Request path, e.g. `/metrics`. */
  readonly path: string;
  /** Extra request headers (e.g. `accept-encoding: gzip`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Concurrent clients (= connections). */
  readonly concurrency: number;
  /** Measured duration in ms; the run stops issuing requests after it. */
  readonly durationMs?: number;
  /** Exact number of requests (instead of a duration). */
  readonly total?: number;
  /** Unmeasured warm-up before the measured part, in ms. @default 0 */
  readonly warmupMs?: number;
  /** Per-request timeout in ms. @default 60000 */
  readonly timeoutMs?: number;
  /** Return every latency sample too (for short runs). @default false */
  readonly keepSamples?: boolean;
}

/** What one load run measured. */
export interface LoadResult {
  /** Completed requests in the measured part (any status). */
  readonly requests: number;
  /** Requests that failed (network error, timeout or a status other than 200). */
  readonly errors: number;
  /** First few error messages. */
  readonly errorSamples: readonly string[];
  /** Requests per status code. */
  readonly statuses: Readonly<Record<string, number>>;
  /** Body bytes received in the measured part. */
  readonly bytes: number;
  /** Smallest and largest body size seen. */
  readonly bodyBytes: { readonly min: number; readonly max: number };
  /** Wall time of the measured part: first send to last completion, ms. */
  readonly elapsedMs: number;
  /** Completed requests per second. */
  readonly rps: number;
  /** Latency from sending to the last body byte, ms. */
  readonly latency: LatencySummary;
  /** Requests sent during the warm-up (not measured). */
  readonly warmupRequests: number;
  /** Every latency sample in completion order, ms (only with `keepSamples`). */
  readonly samples?: readonly number[];
}

/** Runs one load phase against `spec.origin` and returns the measurements. */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  if (spec.durationMs === undefined && spec.total === undefined) throw new Error('load: durationMs or total is required');
  const pool = new Pool(spec.origin, {
    connections: spec.concurrency,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: spec.timeoutMs ?? 60_000,
    bodyTimeout: spec.timeoutMs ?? 60_000,
  });
  const headers = { ...(spec.headers ?? {}) };
  const one = async (): Promise<{ ok: boolean; status: number; bytes: number; ms: number; error?: string }> => {
    const started = performance.now();
    try {
      const res = await pool.request({ path: spec.path, method: 'GET', headers });
      let bytes = 0;
      for await (const chunk of res.body) bytes += (chunk as Buffer).length;
      const ms = performance.now() - started;
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared !== bytes) {
        return { ok: false, status: res.statusCode, bytes, ms, error: `body ${bytes} bytes, Content-Length ${declared}` };
      }
      return { ok: res.statusCode === 200, status: res.statusCode, bytes, ms, ...(res.statusCode === 200 ? {} : { error: `HTTP ${res.statusCode}` }) };
    } catch (err) {
      return { ok: false, status: 0, bytes: 0, ms: performance.now() - started, error: err instanceof Error ? err.message : String(err) };
    }
  };

  let warmupRequests = 0;
  if ((spec.warmupMs ?? 0) > 0) {
    const until = performance.now() + (spec.warmupMs ?? 0);
    await Promise.all(
      Array.from({ length: spec.concurrency }, async () => {
        while (performance.now() < until) {
          await one();
          warmupRequests++;
        }
      }),
    );
  }

  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const errorSamples: string[] = [];
  let errors = 0;
  let bytes = 0;
  let minBody = Number.POSITIVE_INFINITY;
  let maxBody = 0;
  let issued = 0;
  const start = performance.now();
  const stopAt = spec.durationMs !== undefined ? start + spec.durationMs : Number.POSITIVE_INFINITY;
  const total = spec.total ?? Number.POSITIVE_INFINITY;
  let last = start;
  await Promise.all(
    Array.from({ length: Math.min(spec.concurrency, total) }, async () => {
      while (issued < total && performance.now() < stopAt) {
        issued++;
        const r = await one();
        last = performance.now();
        latencies.push(r.ms);
        statuses[String(r.status)] = (statuses[String(r.status)] ?? 0) + 1;
        bytes += r.bytes;
        if (r.bytes < minBody) minBody = r.bytes;
        if (r.bytes > maxBody) maxBody = r.bytes;
        if (!r.ok) {
          errors++;
          if (errorSamples.length < 5 && r.error !== undefined) errorSamples.push(r.error);
        }
      }
    }),
  );
  await pool.close();
  const elapsedMs = last - start;
  return {
    requests: latencies.length,
    errors,
    errorSamples,
    statuses,
    bytes,
    bodyBytes: { min: latencies.length > 0 ? minBody : 0, max: maxBody },
    elapsedMs,
    rps: elapsedMs > 0 ? (latencies.length * 1000) / elapsedMs : 0,
    latency: summarize(latencies),
    warmupRequests,
    ...(spec.keepSamples === true ? { samples: latencies } : {}),
  };
}

/**
 * Combines the measured parts of several runs against the same target (run with
 * `keepSamples`) into one result: counts and bytes add up, throughput is total requests
 * over total measured time, percentiles come from all samples together. The merged result
 * carries no samples.
 */
export function mergeResults(runs: readonly LoadResult[]): LoadResult {
  const samples = runs.flatMap((r) => r.samples ?? []);
  const statuses: Record<string, number> = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  const requests = runs.reduce((a, r) => a + r.requests, 0);
  const elapsedMs = runs.reduce((a, r) => a + r.elapsedMs, 0);
  return {
    requests,
    errors: runs.reduce((a, r) => a + r.errors, 0),
    errorSamples: runs.flatMap((r) => r.errorSamples).slice(0, 5),
    statuses,
    bytes: runs.reduce((a, r) => a + r.bytes, 0),
    bodyBytes: { min: Math.min(...runs.map((r) => r.bodyBytes.min)), max: Math.max(...runs.map((r) => r.bodyBytes.max)) },
    elapsedMs,
    rps: elapsedMs > 0 ? (requests * 1000) / elapsedMs : 0,
    latency: summarize(samples),
    warmupRequests: runs.reduce((a, r) => a + r.warmupRequests, 0),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const raw = process.argv[2];
  if (raw === undefined) {
    process.stderr.write('usage: load.ts <LoadSpec JSON>\n');
    process.exit(2);
  }
  runLoad(JSON.parse(raw) as LoadSpec).then(
    (result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    },
    (err: unknown) => {
      process.stderr.write(`load: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
