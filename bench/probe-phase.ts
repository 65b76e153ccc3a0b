/**
 * Phase 7 of the benchmark: many orgs through `/probe`. A generated estate (500 orgs × 10
 * SDDCs by default) is served to one exporter running with `--no-vmc.discover`, and
 * probed by concurrent "Prometheus shards" (each its own child process, each probing
 * every org once per round, starting at a different org). Measured: per-probe latency of a
 * cold round, of the round after the TTL and of a cached round; SDDC-list calls per org per
 * TTL; token requests per org over the run (inside one token lifetime); heap used after a
 * full GC before probing, once every org was probed, and after `--probe.idle` forgot them;
 * and, on a second exporter serving one org on both paths, `/probe` against `/metrics`
 * cached throughput for that org.
 */
import { type LoadResult, type LoadSpec, mergeResults } from './load.js';
import { heapUsedAfterGc, inspectorUrl } from './inspector.js';
import type { ProbeLoadResult, ProbeLoadSpec } from './probe-load.js';
import { readCpuSeconds, readRssBytes, sleep } from '../test/helpers/processes.js';
import { runBenchModule } from './procs.js';
import type { ProbeRound, ProbeScaleResult } from './report.js';
import { summarize } from './stats.js';
import { parseExposition } from '../test/helpers/exposition.js';
import { type EstateSize, type Exporter, resetSimStats, scrape, type Sim, simStats, startExporter, startSim } from './sut.js';

/** Orgs probed and forgotten before the start, not measured. */
export const WARM_UP_ORGS = 20;

/** Settings of the probe phase. */
export interface ProbePhaseOptions {
  /** The estate (orgs × SDDCs × hosts). */
  readonly estate: EstateSize;
  /** Concurrent probing "shards". */
  readonly shards: number;
  /** Probes in flight per shard. */
  readonly concurrency: number;
  /** `--cache.ttl`, s. */
  readonly ttlS: number;
  /** `--probe.idle`, s. */
  readonly idleS: number;
  /** Simulator latency per VMC answer, ms. */
  readonly latencyMs: number;
  /** `--vmc.concurrency`. */
  readonly vmcConcurrency: number;
  /** Token lifetime the simulator hands out, s. */
  readonly tokenTtlS: number;
  /** Seconds per side of the cached throughput comparison. */
  readonly durationS: number;
  /** Unmeasured warm-up per throughput run, s. */
  readonly warmupS: number;
  /** Clients of the throughput comparison. */
  readonly throughputConcurrency: number;
  /** Progress messages. */
  readonly log: (message: string) => void;
}

function load(spec: LoadSpec): Promise<LoadResult> {
  return runBenchModule('load generator', 'load.ts', [JSON.stringify(spec)]);
}

function shard(spec: ProbeLoadSpec, i: number): Promise<ProbeLoadResult> {
  return runBenchModule(`probe shard ${i}`, 'probe-load.ts', [JSON.stringify(spec)]);
}

/** `orgs` starting at the k-th of `n` equal parts: each shard begins at another org. */
function rotated(orgs: readonly string[], k: number, n: number): string[] {
  const start = Math.floor((orgs.length * k) / n);
  return [...orgs.slice(start), ...orgs.slice(0, start)];
}

function spread(map: Readonly<Record<string, number>>, orgs: readonly string[]): ProbeRound['sddcListPerOrg'] {
  const values = orgs.map((o) => map[o] ?? 0);
  return {
    min: Math.min(...values),
    max: Math.max(...values),
    orgs: orgs.length,
    total: Object.values(map).reduce((a, b) => a + b, 0),
    otherKeys: Object.keys(map).filter((k) => !orgs.includes(k)).length,
  };
}

/** Runs the probe phase. */
export async function probePhase(opts: ProbePhaseOptions): Promise<ProbeScaleResult> {
  const { log } = opts;
  // A few orgs more than measured: they warm the exporter up and are forgotten before the start.
  const sim: Sim = await startSim({ estate: { ...opts.estate, orgs: opts.estate.orgs + WARM_UP_ORGS }, latencyMs: opts.latencyMs, tokenTtlSeconds: opts.tokenTtlS });
  const children: Exporter[] = [];
  try {
    const orgs = sim.orgs.slice(0, opts.estate.orgs);
    const warmUp = sim.orgs.slice(opts.estate.orgs);
    const exporter = await startExporter({
      sim,
      orgs: [],
      cacheTtl: `${opts.ttlS}s`,
      concurrency: opts.vmcConcurrency,
      flags: ['--no-vmc.discover', `--probe.idle=${opts.idleS}s`],
      nodeFlags: ['--inspect=127.0.0.1:0'],
    });
    children.push(exporter);
    const wsUrl = inspectorUrl(exporter.child.stderr());
    if (wsUrl === undefined) throw new Error(`exporter: no inspector URL on stderr: ${exporter.child.stderr()}`);
    const settled = async (): Promise<{ heapUsedBytes: number; rssBytes: number }> => {
      const heapUsedBytes = await heapUsedAfterGc(wsUrl);
      await sleep(250);
      return { heapUsedBytes, rssBytes: readRssBytes(exporter.child.pid) };
    };
    /** Waits until nothing has probed for --probe.idle, then scrapes (which sweeps). */
    const forgetAll = async (lastProbeAt: number, what: string): Promise<string> => {
      const quietUntil = lastProbeAt + opts.idleS * 1000 + 1000;
      log(`probes: waiting ${((quietUntil - performance.now()) / 1000).toFixed(0)} s for --probe.idle=${opts.idleS}s to forget ${what}`);
      await sleep(Math.max(0, quietUntil - performance.now()));
      return (await scrape(exporter.origin)).body.toString('utf8');
    };
    const orgTokenSeries = (metrics: string): number => parseExposition(metrics).samples.filter((s) => s.name.startsWith('vmc_token_') && (s.labels['org_id'] ?? '') !== '').length;

    await scrape(exporter.origin);
    const fresh = await settled();
    // Warm-up: every code path once (tokens, collection, rendering, forgetting), on orgs
    // that are not measured, then forgotten: the start is the warm, empty exporter.
    const warm = await shard({ origin: exporter.origin, targets: warmUp, concurrency: opts.concurrency }, 0);
    if (warm.errors > 0) throw new Error(`warm-up probes failed: ${warm.errorSamples.join('; ')}`);
    const afterWarmUp = await forgetAll(performance.now(), `the ${warmUp.length} warm-up orgs`);
    if (orgTokenSeries(afterWarmUp) !== 0) throw new Error('warm-up orgs were not forgotten');
    const start = await settled();
    log(`probes: heap at the start ${(start.heapUsedBytes / 1048576).toFixed(1)} MB (fresh process ${(fresh.heapUsedBytes / 1048576).toFixed(1)} MB); ${opts.shards} shards x ${orgs.length} orgs per round`);

    await resetSimStats(sim);
    const tokens: Record<string, number> = {};
    const addTokens = (m: Readonly<Record<string, number>>) => {
      for (const [k, v] of Object.entries(m)) tokens[k] = (tokens[k] ?? 0) + v;
    };
    const t0 = performance.now();
    let lastProbeAt = performance.now();

    const round = async (label: string): Promise<ProbeRound> => {
      await resetSimStats(sim);
      const began = performance.now();
      const cpu0 = readCpuSeconds(exporter.child.pid);
      const results = await Promise.all(
        Array.from({ length: opts.shards }, (_, k) => shard({ origin: exporter.origin, targets: rotated(orgs, k, opts.shards), concurrency: opts.concurrency }, k)),
      );
      const spanMs = performance.now() - began;
      const cpuMs = (readCpuSeconds(exporter.child.pid) - cpu0) * 1000;
      lastProbeAt = performance.now();
      const stats = await simStats(sim);
      addTokens(stats.tokenRequests);
      const samples = results.flatMap((r) => r.samples);
      const probes = samples.length;
      const r: ProbeRound = {
        label,
        spanMs,
        probes,
        errors: results.reduce((a, x) => a + x.errors, 0),
        errorSamples: results.flatMap((x) => x.errorSamples).slice(0, 5),
        latency: summarize(samples),
        probesPerSecond: (probes * 1000) / spanMs,
        cpuMsPerProbe: cpuMs / probes,
        bytesPerProbe: results.reduce((a, x) => a + x.bytes, 0) / probes,
        sddcListPerOrg: spread(stats.sddcListRequests, orgs),
      };
      log(`probes: ${label} round ${(spanMs / 1000).toFixed(1)} s, p50 ${r.latency.p50.toFixed(1)} ms, p99 ${r.latency.p99.toFixed(1)} ms, SDDC lists per org ${r.sddcListPerOrg.min}..${r.sddcListPerOrg.max}, ${r.errors} errors`);
      return r;
    };

    const rounds: ProbeRound[] = [];
    const coldStart = performance.now();
    rounds.push(await round('cold'));
    // Every org's data falls due one TTL after it was fetched, i.e. within the cold round.
    const due = coldStart + rounds[0]!.spanMs + opts.ttlS * 1000 + 500;
    await sleep(Math.max(0, due - performance.now()));
    rounds.push(await round('next TTL'));
    rounds.push(await round('cached'));
    const probed = await settled();
    log(`probes: heap with ${orgs.length} orgs probed ${(probed.heapUsedBytes / 1048576).toFixed(1)} MB`);

    // /probe against /metrics for the same org, on an exporter that serves it on both.
    const org = orgs[0]!;
    const single = await startExporter({ sim, orgs: [org], cacheTtl: '1h' });
    children.push(single);
    const paths = { probe: `/probe?target=${encodeURIComponent(org)}`, metrics: '/metrics' } as const;
    const sizes = { probe: (await scrape(single.origin, paths.probe)).body.length, metrics: (await scrape(single.origin, paths.metrics)).body.length };
    const runs = { probe: [] as LoadResult[], metrics: [] as LoadResult[] };
    const cpu = { probe: 0, metrics: 0 };
    for (let i = 0; i < 2; i++) {
      for (const which of i % 2 === 0 ? (['probe', 'metrics'] as const) : (['metrics', 'probe'] as const)) {
        const c0 = readCpuSeconds(single.child.pid);
        const r = await load({ origin: single.origin, path: paths[which], concurrency: opts.throughputConcurrency, durationMs: (opts.durationS * 1000) / 2, warmupMs: opts.warmupS * 1000, keepSamples: true });
        cpu[which] += readCpuSeconds(single.child.pid) - c0;
        runs[which].push(r);
        log(`probes: cached ${which} of one org ${r.rps.toFixed(0)} req/s, p99 ${r.latency.p99.toFixed(2)} ms`);
      }
    }
    const count = (rs: LoadResult[]) => rs.reduce((a, r) => a + r.requests + r.warmupRequests, 0);
    await single.child.stop(10_000);

    // Forgetting: nothing probes for --probe.idle; a scrape then sweeps (so does a timer).
    const orgSeries = orgTokenSeries(await forgetAll(lastProbeAt, `the ${orgs.length} orgs`));
    const forgotten = await settled();
    log(`probes: heap after forgetting ${(forgotten.heapUsedBytes / 1048576).toFixed(1)} MB, ${orgSeries} token series of orgs left`);
    const spanSeconds = (performance.now() - t0) / 1000;
    await exporter.child.stop(10_000);

    return {
      estate: opts.estate,
      shards: opts.shards,
      concurrency: opts.concurrency,
      ttlSeconds: opts.ttlS,
      idleSeconds: opts.idleS,
      simLatencyMs: opts.latencyMs,
      vmcConcurrency: opts.vmcConcurrency,
      exporterArgv: exporter.argv,
      rounds,
      tokens: { ...spread(tokens, orgs), lifetimeSeconds: opts.tokenTtlS, spanSeconds },
      heap: {
        fresh,
        start: { heapUsedBytes: start.heapUsedBytes, rssBytes: start.rssBytes },
        probed: { heapUsedBytes: probed.heapUsedBytes, rssBytes: probed.rssBytes },
        forgotten: { heapUsedBytes: forgotten.heapUsedBytes, rssBytes: forgotten.rssBytes },
        forgottenVsStartPct: ((forgotten.heapUsedBytes - start.heapUsedBytes) / start.heapUsedBytes) * 100,
        orgTokenSeriesAfter: orgSeries,
      },
      throughput: {
        org,
        exporterArgv: single.argv,
        probe: mergeResults(runs.probe),
        metrics: mergeResults(runs.metrics),
        probeBytes: sizes.probe,
        metricsBytes: sizes.metrics,
        probeCpuMsPerRequest: (cpu.probe * 1000) / count(runs.probe),
        metricsCpuMsPerRequest: (cpu.metrics * 1000) / count(runs.metrics),
      },
    };
  } finally {
    for (const c of children) await c.child.stop(5_000).catch(() => undefined);
    await sim.child.stop();
  }
}
