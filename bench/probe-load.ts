/**
 * One "Prometheus shard" of the probe scenario, run as its own child process:
 * `node --import tsx bench/probe-load.ts '<ProbeLoadSpec JSON>'` probes every org of
 * `targets` once, in that order, with `concurrency` probes in flight (one keep-alive
 * connection each), and prints one {@link ProbeLoadResult} JSON line.
 *
 * Each answer is read to the last byte and checked: HTTP 200 and `vmc_up{org_id="<org>"} 1`.
 */
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { summarize, type LatencySummary } from './stats.js';

/** What one shard does in one round. */
export interface ProbeLoadSpec {
  /** Exporter origin, e.g. `http://127.0.0.1:10040`. */
  readonly origin: string;
  /** Org ids to probe, in order. */
  readonly targets: readonly string[];
  /** Probes in flight at once. */
  readonly concurrency: number;
  /** `X-Prometheus-Scrape-Timeout-Seconds`. @default 30 */
  readonly timeoutSeconds?: number;
}

/** What one shard measured in one round. */
export interface ProbeLoadResult {
  /** Probes answered (any status). */
  readonly probes: number;
  /** Probes that failed: not 200, or not `vmc_up 1` for the org. */
  readonly errors: number;
  /** First few failures. */
  readonly errorSamples: readonly string[];
  /** Wall time of the round, ms. */
  readonly elapsedMs: number;
  /** Body bytes received. */
  readonly bytes: number;
  /** Latency from sending to the last body byte, ms. */
  readonly latency: LatencySummary;
  /** Every latency sample, ms. */
  readonly samples: readonly number[];
}

/** Probes `spec.targets` once each. */
export async function runProbes(spec: ProbeLoadSpec): Promise<ProbeLoadResult> {
  const timeoutMs = (spec.timeoutSeconds ?? 30) * 1000 + 5000;
  const pool = new Pool(spec.origin, { connections: spec.concurrency, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const headers = { 'x-prometheus-scrape-timeout-seconds': String(spec.timeoutSeconds ?? 30) };
  const samples: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  let bytes = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(spec.concurrency, spec.targets.length) }, async () => {
      while (next < spec.targets.length) {
        const org = spec.targets[next++]!;
        const t0 = performance.now();
        let problem: string | undefined;
        try {
          const res = await pool.request({ path: `/probe?target=${encodeURIComponent(org)}`, method: 'GET', headers });
          const body = await res.body.text();
          bytes += Buffer.byteLength(body);
          if (res.statusCode !== 200) problem = `${org}: HTTP ${res.statusCode}`;
          else if (!body.includes(`vmc_up{org_id="${org}"} 1\n`)) problem = `${org}: not vmc_up 1`;
        } catch (err) {
          problem = `${org}: ${err instanceof Error ? err.message : String(err)}`;
        }
        samples.push(performance.now() - t0);
        if (problem !== undefined) {
          errors++;
          if (errorSamples.length < 5) errorSamples.push(problem);
        }
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  await pool.close();
  return { probes: samples.length, errors, errorSamples, elapsedMs, bytes, latency: summarize(samples), samples };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const raw = process.argv[2];
  if (raw === undefined) {
    process.stderr.write('usage: probe-load.ts <ProbeLoadSpec JSON>\n');
    process.exit(2);
  }
  runProbes(JSON.parse(raw) as ProbeLoadSpec).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (err: unknown) => {
      process.stderr.write(`probe-load: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
