/**
 * Benchmark orchestrator (`npm run bench`, i.e. `node --import tsx bench/run.ts [flags]`).
 *
 * Runs the built exporter against the simulator, each in its own child process, and
 * measures, in one run:
 * 1–2. cached scrapes (plain and gzip) against a baseline `node:http` server serving the
 *      very same bytes, with the same load generator (its own child process);
 * 3.   the cold-scrape overhead against the time `JSON.parse` takes on the same bodies;
 * 4.   upstream calls: SDDC lists per org per TTL under concurrent scrapes, tokens per org
 *      per token lifetime;
 * 5.   memory (RSS, heap) before and after the load, and CPU per scrape;
 * 6.   how the cold cost and RSS grow with the number of SDDCs;
 * 7.   many orgs through `/probe` (bench/probe-phase.ts): 500 orgs × 10 SDDCs probed by 4
 *      concurrent shards, calls and tokens per org, heap before and after forgetting,
 *      `/probe` against `/metrics` for the same org.
 * 8.   each collector but the SDDC one on its own, against a simulator with 50 ms latency: its
 *      first collection's duration and its calls in one TTL round.
 * The cached phases run with every collector on; the cold phases with the SDDC collector alone.
 * Prints a table with PASS/FAIL per target and writes JSON to `bench/results/`. Every
 * child is stopped on exit, on failure and on SIGINT.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { forceGc, inspectorUrl } from './inspector.js';
import { probePhase, type ProbePhaseOptions } from './probe-phase.js';
import { type LoadResult, type LoadSpec, mergeResults } from './load.js';
import type { FloorResult, FloorSpec } from './parse-floor.js';
import { firstJsonLine, readCpuSeconds, readPeakRssBytes, readRssBytes, ROOT, sleep } from '../test/helpers/processes.js';
import { atExit, installCleanup, runBenchModule, spawnBenchModule, stopAll, unexpectedExits } from './procs.js';
import { COLLECTORS } from '../src/collect/collectors/index.js';
import {
  type BenchResult,
  type CachedComparison,
  type CollectorResult,
  type ColdResult,
  evaluate,
  type RouteCost,
  type MachineInfo,
  render,
  type ScalingPoint,
  type UpstreamResult,
  writeJson,
} from './report.js';
import { median } from './stats.js';
import { parseExposition, type Sample } from '../test/helpers/exposition.js';
import {
  type EstateSize,
  type Exporter,
  resetSimStats,
  scrape,
  type Sim,
  type SimStats,
  simStats,
  startExporter,
  startSim,
  upSummary,
} from './sut.js';

const USAGE = `Usage: npm run bench -- [options]

  --orgs N               orgs in the main estate (default 10)
  --sddcs N              SDDCs per org (default 200)
  --hosts N              hosts per SDDC (default 16)
  --clusters N           clusters per SDDC (default 2)
  --seed N               estate seed (default 1)
  --duration S           measured seconds per target and encoding (default 10)
  --warmup S             unmeasured seconds before each cached run (default 1)
  --rounds N             cached runs alternate exporter/baseline in N rounds of duration/N (default 2)
  --concurrency N        concurrent clients in cached runs (default 8)
  --min-scrapes N        scrapes between the two memory readings, at least (default 2000)
  --scrapers N           concurrent scrapers per TTL round (default 30)
  --ttl S                --cache.ttl of the single-flight exporter, seconds (default 2)
  --ttl-rounds N         TTL rounds (default 3)
  --token-ttl S          token lifetime the simulator hands out (default 1799)
  --cold-latency-ms MS   simulator latency for cold scrapes (default 200)
  --cold-scrapes N       measured sequential cold scrapes (default 9)
  --cold-concurrency N   --vmc.concurrency for cold scrapes (default: orgs, one latency round)
  --scaling LIST         total SDDC counts for the scaling table (default 10,100,1000,5000)
  --skip-scaling         no scaling table
  --probe-orgs N         orgs of the probe phase (default 500; --quick: 50)
  --probe-sddcs N        SDDCs per org in the probe phase (default 10)
  --probe-shards N       concurrent probing shards, each probing every org (default 4)
  --probe-concurrency N  probes in flight per shard (default 4)
  --probe-ttl S          --cache.ttl in the probe phase, seconds (default 30; --quick: 10)
  --probe-idle S         --probe.idle in the probe phase, seconds (default 40; --quick: 15)
  --probe-latency-ms MS  simulator latency in the probe phase (default 50)
  --skip-probes          no probe phase
  --probes-only          only the probe phase
  --collector-latency-ms MS
                         simulator latency for the per-collector measurements (default 50)
  --collector-ttl S      each collector's TTL in its round, seconds (default 5)
  --skip-collectors      no per-collector measurements
  --cpu-prof             run the exporters with --cpu-prof (profiles in bench/results/)
  --quick                small estate (4 x 25 SDDCs), short runs, scaling 10,400 (~30 s): a
                         sanity check of the bench; performance targets shown as INFO
  --out DIR              where the JSON goes (default bench/results)
  -h, --help             this help

Exit status: 0 when every check passes, 1 when one fails, 2 when the benchmark broke.`;

/** Parsed command line. */
interface Options {
  readonly estate: EstateSize;
  readonly durationS: number;
  readonly warmupS: number;
  readonly rounds: number;
  readonly concurrency: number;
  readonly minScrapes: number;
  readonly scrapers: number;
  readonly ttlS: number;
  readonly ttlRounds: number;
  readonly tokenTtlS: number;
  readonly coldLatencyMs: number;
  readonly coldScrapes: number;
  readonly coldConcurrency: number | undefined;
  readonly scaling: readonly number[];
  /** The probe phase, or undefined with --skip-probes. */
  readonly probes: Omit<ProbePhaseOptions, 'log' | 'tokenTtlS' | 'warmupS'> | undefined;
  readonly probesOnly: boolean;
  /** Clients of the /probe vs /metrics comparison (for the report). */
  readonly probeThroughputConcurrency: number;
  readonly collectorLatencyMs: number;
  readonly collectorTtlS: number;
  readonly skipCollectors: boolean;
  readonly cpuProf: boolean;
  readonly quick: boolean;
  readonly outDir: string;
}

const DEFAULT_ESTATE: EstateSize = { orgs: 10, sddcsPerOrg: 200, hosts: 16, clusters: 2, seed: 1 };

function parseOptions(argv: string[]): Options | undefined {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      orgs: { type: 'string' },
      sddcs: { type: 'string' },
      hosts: { type: 'string' },
      clusters: { type: 'string' },
      seed: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      rounds: { type: 'string' },
      concurrency: { type: 'string' },
      'min-scrapes': { type: 'string' },
      scrapers: { type: 'string' },
      ttl: { type: 'string' },
      'ttl-rounds': { type: 'string' },
      'token-ttl': { type: 'string' },
      'cold-latency-ms': { type: 'string' },
      'cold-scrapes': { type: 'string' },
      'cold-concurrency': { type: 'string' },
      scaling: { type: 'string' },
      'skip-scaling': { type: 'boolean' },
      'probe-orgs': { type: 'string' },
      'probe-sddcs': { type: 'string' },
      'probe-shards': { type: 'string' },
      'probe-concurrency': { type: 'string' },
      'probe-ttl': { type: 'string' },
      'probe-idle': { type: 'string' },
      'probe-latency-ms': { type: 'string' },
      'skip-probes': { type: 'boolean' },
      'probes-only': { type: 'boolean' },
      'collector-latency-ms': { type: 'string' },
      'collector-ttl': { type: 'string' },
      'skip-collectors': { type: 'boolean' },
      'cpu-prof': { type: 'boolean' },
      quick: { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) return undefined;
  const quick = values.quick === true;
  const num = (name: string, raw: string | undefined, fallback: number, min: number): number => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number >= ${min}, got ${JSON.stringify(raw)}`);
    return n;
  };
  const int = (name: string, raw: string | undefined, fallback: number, min: number): number => {
    const n = num(name, raw, fallback, min);
    if (!Number.isInteger(n)) throw new Error(`--${name} must be an integer, got ${JSON.stringify(raw)}`);
    return n;
  };
  const estate: EstateSize = {
    orgs: int('orgs', values.orgs, quick ? 4 : DEFAULT_ESTATE.orgs, 1),
    sddcsPerOrg: int('sddcs', values.sddcs, quick ? 25 : DEFAULT_ESTATE.sddcsPerOrg, 1),
    hosts: int('hosts', values.hosts, DEFAULT_ESTATE.hosts, 0),
    clusters: int('clusters', values.clusters, DEFAULT_ESTATE.clusters, 1),
    seed: int('seed', values.seed, DEFAULT_ESTATE.seed, 0),
  };
  const scalingRaw = values.scaling ?? (quick ? '10,400' : '10,100,1000,5000');
  const scaling =
    values['skip-scaling'] === true
      ? []
      : scalingRaw.split(',').map((s) => int('scaling', s.trim(), 0, 1));
  return {
    estate,
    durationS: num('duration', values.duration, quick ? 2 : 10, 0.5),
    warmupS: num('warmup', values.warmup, quick ? 0.25 : 1, 0),
    rounds: int('rounds', values.rounds, 2, 1),
    concurrency: int('concurrency', values.concurrency, 8, 1),
    minScrapes: int('min-scrapes', values['min-scrapes'], 2000, 0),
    scrapers: int('scrapers', values.scrapers, 30, 1),
    ttlS: num('ttl', values.ttl, 2, 1),
    ttlRounds: int('ttl-rounds', values['ttl-rounds'], quick ? 1 : 3, 1),
    tokenTtlS: int('token-ttl', values['token-ttl'], 1799, 1),
    coldLatencyMs: int('cold-latency-ms', values['cold-latency-ms'], 200, 0),
    coldScrapes: int('cold-scrapes', values['cold-scrapes'], quick ? 5 : 9, 1),
    coldConcurrency: values['cold-concurrency'] === undefined ? undefined : int('cold-concurrency', values['cold-concurrency'], 1, 1),
    scaling,
    probes:
      values['skip-probes'] === true
        ? undefined
        : {
            estate: {
              orgs: int('probe-orgs', values['probe-orgs'], quick ? 50 : 500, 1),
              sddcsPerOrg: int('probe-sddcs', values['probe-sddcs'], 10, 1),
              hosts: int('hosts', values.hosts, DEFAULT_ESTATE.hosts, 0),
              clusters: int('clusters', values.clusters, DEFAULT_ESTATE.clusters, 1),
              seed: int('seed', values.seed, DEFAULT_ESTATE.seed, 0),
            },
            shards: int('probe-shards', values['probe-shards'], 4, 1),
            concurrency: int('probe-concurrency', values['probe-concurrency'], 4, 1),
            ttlS: int('probe-ttl', values['probe-ttl'], quick ? 10 : 30, 1),
            idleS: int('probe-idle', values['probe-idle'], quick ? 15 : 40, 1),
            latencyMs: int('probe-latency-ms', values['probe-latency-ms'], 50, 0),
            // A cold probe with every collector on makes ~17 upstream calls per org (EDRS: one
            // per SDDC); 32 in flight at 50 ms let the cold round of 500 orgs fit in one TTL.
            vmcConcurrency: 32,
            durationS: num('duration', values.duration, quick ? 2 : 10, 0.5),
            throughputConcurrency: int('concurrency', values.concurrency, 8, 1),
          },
    probesOnly: values['probes-only'] === true,
    probeThroughputConcurrency: int('concurrency', values.concurrency, 8, 1),
    collectorLatencyMs: int('collector-latency-ms', values['collector-latency-ms'], 50, 0),
    collectorTtlS: int('collector-ttl', values['collector-ttl'], 5, 1),
    skipCollectors: values['skip-collectors'] === true,
    cpuProf: values['cpu-prof'] === true,
    quick,
    outDir: values.out ?? join(ROOT, 'bench', 'results'),
  };
}

function machineInfo(): MachineInfo {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1]) cpuModel = m[1].trim();
  } catch {
    // not Linux
  }
  return { nproc: cpus().length, cpuModel, memTotalBytes: totalmem(), node: process.version, kernel: release(), loadAvg: { start: loadavg()[0] ?? Number.NaN } };
}

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** Runs the load generator in its own process. */
function load(spec: LoadSpec): Promise<LoadResult> {
  return runBenchModule('load generator', 'load.ts', [JSON.stringify(spec)]);
}

/** Runs the parse floor in its own process. */
function floor(spec: FloorSpec): Promise<FloorResult> {
  return runBenchModule('parse floor', 'parse-floor.ts', [JSON.stringify(spec)]);
}

function totalSddcs(e: EstateSize): number {
  return e.orgs * e.sddcsPerOrg;
}

function profFlags(opts: Options, label: string): string[] {
  return opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(opts.outDir, 'profiles')}`, `--cpu-prof-name=${label}-${Date.now()}.cpuprofile`] : [];
}

type Labels = Readonly<Record<string, string>>;

/** The samples called `name` (whose labels include `labels`) in exposition text. */
function samplesOf(text: string, name: string, labels?: Labels): Sample[] {
  return parseExposition(text, { names: [name] }).all(name, labels);
}

/** `nodejs_heap_size_used_bytes` in exposition text (NaN without it). */
function heapUsedBytes(text: string): number {
  return parseExposition(text, { names: ['nodejs_heap_size_used_bytes'] }).value('nodejs_heap_size_used_bytes') ?? Number.NaN;
}

/** Throws unless a scrape answered 200 with every org up. */
function assertGoodScrape(what: string, status: number, text: string, orgs: number): void {
  if (status !== 200) throw new Error(`${what}: HTTP ${status}`);
  const up = upSummary(text);
  if (up.total !== orgs || up.up !== orgs) throw new Error(`${what}: vmc_up ${up.up}/${up.total}, expected ${orgs}/${orgs}`);
}

/** Samples a process's RSS every `everyMs` until stopped. */
function rssSampler(pid: number, everyMs = 250): { stop: () => Array<[number, number]> } {
  const t0 = performance.now();
  const samples: Array<[number, number]> = [];
  const timer = setInterval(() => {
    try {
      samples.push([Math.round(performance.now() - t0), readRssBytes(pid)]);
    } catch {
      // exited
    }
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return samples;
    },
  };
}

/** The flags that turn every collector off but `keep`. */
function onlyCollectors(...keep: string[]): string[] {
  return COLLECTORS.filter((c) => !keep.includes(c.name)).map((c) => `--no-collector.${c.name}`);
}

/**
 * Scrapes until every `vmc_collector_success` sample whose labels pass `which` is 1 (the
 * slow collections, EDRS above all, outlive a scrape); returns the number of scrapes made.
 */
async function untilCollectorsSucceed(origin: string, which: (labels: Labels) => boolean, timeoutMs = 300_000): Promise<number> {
  const until = performance.now() + timeoutMs;
  for (let n = 1; ; n++) {
    const text = (await scrape(origin, '/metrics', { 'x-prometheus-scrape-timeout-seconds': '30' })).body.toString('utf8');
    const s = samplesOf(text, 'vmc_collector_success').filter((x) => which(x.labels));
    if (s.length > 0 && s.every((x) => x.value === 1)) return n;
    if (performance.now() > until) throw new Error(`collectors still failing after ${timeoutMs} ms: ${s.filter((x) => x.value !== 1).map((x) => x.series).join('; ')}`);
    await sleep(250);
  }
}

/** Phases 1, 2, 5 and the token count of 4: the cached exporter against the baseline. */
async function cachedPhase(opts: Options, sim: Sim, result: BenchResult, tmp: string): Promise<void> {
  const orgs = sim.orgs.length;
  // --inspect on loopback: the memory readings force a full GC first (see settledReading)
  const exporter = await startExporter({ sim, cacheTtl: '1h', nodeFlags: ['--inspect=127.0.0.1:0', ...profFlags(opts, 'cached')] });
  result.exporterArgv = exporter.argv;
  const pid = exporter.child.pid;
  const wsUrl = inspectorUrl(exporter.child.stderr());
  if (wsUrl === undefined) throw new Error(`exporter: no inspector URL on stderr: ${exporter.child.stderr()}`);
  const settledReading = async (): Promise<{ rssBytes: number; heapUsedBytes: number }> => {
    await forceGc(wsUrl);
    await sleep(250);
    const rssBytes = readRssBytes(pid);
    const s = await scrape(exporter.origin);
    scrapes++;
    return { rssBytes, heapUsedBytes: heapUsedBytes(s.body.toString('utf8')) };
  };
  const t0 = performance.now();
  let scrapes = 0;
  const gzipHeaders = { 'accept-encoding': 'gzip' };

  const first = await scrape(exporter.origin);
  scrapes++;
  result.firstScrapeMs = first.ms;
  assertGoodScrape('first scrape', first.status, first.body.toString('utf8'), orgs);
  log(`first scrape ${first.ms.toFixed(0)} ms, ${first.body.length} bytes; waiting for every collector`);
  scrapes += await untilCollectorsSucceed(exporter.origin, () => true);
  log('every collector has succeeded; warming up (plain and gzip)');

  // warm-up: every kind of request the load phase sends, so the heap has reached its size
  for (const headers of [{}, gzipHeaders]) {
    const warm = await load({ origin: exporter.origin, path: '/metrics', headers, concurrency: opts.concurrency, durationMs: Math.max(1000, opts.warmupS * 2000) });
    scrapes += warm.requests;
    if (warm.errors > 0) throw new Error(`warm-up: ${warm.errors} failed scrapes: ${warm.errorSamples.join('; ')}`);
  }

  // the bytes the baseline serves: one full scrape each (self-metrics included, same size)
  const plain = await scrape(exporter.origin);
  const gz = await scrape(exporter.origin, '/metrics', gzipHeaders);
  scrapes += 2;
  if (gz.headers['content-encoding'] !== 'gzip') throw new Error('exporter did not gzip with Accept-Encoding: gzip');
  const plainText = plain.body.toString('utf8');
  assertGoodScrape('capture scrape', plain.status, plainText, orgs);
  const unzipped = gunzipSync(gz.body);
  if (Math.abs(unzipped.length - plain.body.length) > 16 * 1024) throw new Error(`gzip body decodes to ${unzipped.length} bytes, plain is ${plain.body.length}`);
  result.expositionBytes = plain.body.length;
  result.gzipBytes = gz.body.length;
  const plainFile = join(tmp, 'metrics.txt');
  const gzFile = join(tmp, 'metrics.txt.gz');
  writeFileSync(plainFile, plain.body);
  writeFileSync(gzFile, gz.body);

  const warmRss = readRssBytes(pid);
  const warmHeap = heapUsedBytes(plainText);
  const warmGc = await settledReading();
  const scrapesAtWarm = scrapes;
  const sampler = rssSampler(pid);

  const baselineChild = spawnBenchModule('baseline', 'baseline-server.ts', [plainFile, gzFile]);
  const baseline = (await firstJsonLine<{ url: string }>(baselineChild, 30_000)).url;

  // exporter and baseline alternate (E B, B E, E B, …) in rounds of duration/rounds each,
  // so that a disturbance on the machine does not land on one of them only
  const compare = async (label: string, headers: Record<string, string>): Promise<CachedComparison> => {
    const spec = {
      path: '/metrics',
      headers,
      concurrency: opts.concurrency,
      durationMs: (opts.durationS * 1000) / opts.rounds,
      warmupMs: opts.warmupS * 1000,
      keepSamples: true,
    };
    const runs = { exporter: [] as LoadResult[], baseline: [] as LoadResult[] };
    const cpu = { exporter: 0, baseline: 0 };
    for (let i = 0; i < opts.rounds; i++) {
      const order = i % 2 === 0 ? (['exporter', 'baseline'] as const) : (['baseline', 'exporter'] as const);
      for (const who of order) {
        const target = who === 'exporter' ? { origin: exporter.origin, pid } : { origin: baseline, pid: baselineChild.pid };
        const c0 = readCpuSeconds(target.pid);
        const r = await load({ origin: target.origin, ...spec });
        cpu[who] += readCpuSeconds(target.pid) - c0;
        runs[who].push(r);
        if (who === 'exporter') scrapes += r.requests + r.warmupRequests;
        log(`cached ${label} round ${i + 1}/${opts.rounds}: ${who} ${r.rps.toFixed(1)} req/s, p99 ${r.latency.p99.toFixed(1)} ms`);
      }
    }
    const count = (rs: LoadResult[]): number => rs.reduce((a, r) => a + r.requests + r.warmupRequests, 0);
    return {
      exporter: mergeResults(runs.exporter),
      baseline: mergeResults(runs.baseline),
      exporterCpuMsPerScrape: (cpu.exporter * 1000) / count(runs.exporter),
      baselineCpuMsPerRequest: (cpu.baseline * 1000) / count(runs.baseline),
    };
  };
  result.plain = await compare('plain', {});
  result.gzip = await compare('gzip', gzipHeaders);
  await baselineChild.stop();

  if (scrapes - scrapesAtWarm < opts.minScrapes) {
    const more = opts.minScrapes - (scrapes - scrapesAtWarm);
    log(`memory: ${more} more scrapes (plain and gzip) to reach ${opts.minScrapes} between the readings`);
    for (const headers of [{}, gzipHeaders]) {
      const extra = await load({ origin: exporter.origin, path: '/metrics', headers, concurrency: opts.concurrency, total: Math.ceil(more / 2) });
      if (extra.errors > 0) throw new Error(`memory load: ${extra.errors} failed scrapes: ${extra.errorSamples.join('; ')}`);
      scrapes += extra.requests;
    }
  }
  const last = await scrape(exporter.origin);
  scrapes++;
  const loadRss = readRssBytes(pid);
  const loadHeap = heapUsedBytes(last.body.toString('utf8'));
  const series = sampler.stop();
  const rssValues = series.map(([, v]) => v);
  const loadGc = await settledReading();
  result.memory = {
    afterWarmup: { rssBytes: warmRss, heapUsedBytes: warmHeap },
    afterLoad: { rssBytes: loadRss, heapUsedBytes: loadHeap },
    scrapes: scrapes - scrapesAtWarm,
    rssGrowthPct: ((loadRss - warmRss) / warmRss) * 100,
    heapGrowthPct: ((loadHeap - warmHeap) / warmHeap) * 100,
    afterWarmupGc: warmGc,
    afterLoadGc: loadGc,
    settledRssGrowthPct: ((loadGc.rssBytes - warmGc.rssBytes) / warmGc.rssBytes) * 100,
    settledHeapGrowthPct: ((loadGc.heapUsedBytes - warmGc.heapUsedBytes) / warmGc.heapUsedBytes) * 100,
    rssDuringLoad: { min: Math.min(...rssValues, loadRss), max: Math.max(...rssValues, loadRss), samples: series.length },
    peakRssBytes: readPeakRssBytes(pid),
    rssSeries: series.filter((_, i) => i % 4 === 0),
  };

  const stats = await simStats(sim);
  const spanSeconds = (performance.now() - t0) / 1000;
  result.upstream = {
    ttlSeconds: opts.ttlS,
    scrapers: opts.scrapers,
    rounds: [],
    tokenLifetimeSeconds: opts.tokenTtlS,
    tokenRequestsPerOrg: stats.tokenRequests,
    cachedPhaseSddcListPerOrg: stats.sddcListRequests,
    scrapesCounted: scrapes,
    spanSeconds,
  };
  await exporter.child.stop(10_000);
}

/**
 * Phase 1b: the Express route against a bare dispatch of the same metrics handler, both in
 * one child process (bench/route-cost.ts), loaded in alternating rounds.
 */
async function routeCostPhase(opts: Options, sim: Sim): Promise<{ plain: RouteCost; gzip: RouteCost }> {
  const child = spawnBenchModule('route cost', 'route-cost.ts', [JSON.stringify({ url: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, orgs: sim.orgs })]);
  try {
    const urls = await firstJsonLine<{ express: string; bypass: string }>(child, 120_000);
    const measure = async (label: string, headers: Record<string, string>): Promise<RouteCost> => {
      const spec = { path: '/metrics', headers, concurrency: opts.concurrency, durationMs: (opts.durationS * 1000) / opts.rounds, warmupMs: opts.warmupS * 1000, keepSamples: true };
      const runs = { express: [] as LoadResult[], bypass: [] as LoadResult[] };
      for (let i = 0; i < opts.rounds; i++) {
        const order = i % 2 === 0 ? (['express', 'bypass'] as const) : (['bypass', 'express'] as const);
        for (const who of order) {
          const r = await load({ origin: urls[who], ...spec });
          if (r.errors > 0) throw new Error(`route cost ${label} ${who}: ${r.errors} failed requests: ${r.errorSamples.join('; ')}`);
          runs[who].push(r);
          log(`route cost ${label} round ${i + 1}/${opts.rounds}: ${who} ${r.rps.toFixed(1)} req/s, p99 ${r.latency.p99.toFixed(1)} ms`);
        }
      }
      return { express: mergeResults(runs.express), bypass: mergeResults(runs.bypass) };
    };
    return { plain: await measure('plain', {}), gzip: await measure('gzip', { 'accept-encoding': 'gzip' }) };
  } finally {
    await child.stop();
  }
}

/** Phase 4: SDDC-list calls per org per TTL under concurrent scrapes. */
async function singleFlightPhase(opts: Options, sim: Sim, upstream: UpstreamResult): Promise<UpstreamResult> {
  const exporter = await startExporter({ sim, cacheTtl: `${opts.ttlS}s` });
  const first = await scrape(exporter.origin);
  assertGoodScrape('single-flight warm scrape', first.status, first.body.toString('utf8'), sim.orgs.length);
  const rounds: UpstreamResult['rounds'][number][] = [];
  for (let i = 0; i < opts.ttlRounds; i++) {
    await sleep(opts.ttlS * 1000 + 500);
    await resetSimStats(sim);
    const burst = await load({
      origin: exporter.origin,
      path: '/metrics',
      headers: { 'x-prometheus-scrape-timeout-seconds': '60' },
      concurrency: opts.scrapers,
      total: opts.scrapers,
    });
    const stats = await simStats(sim);
    rounds.push({ sddcListPerOrg: stats.sddcListRequests, errors: burst.errors, maxScrapeMs: burst.latency.max });
    log(`TTL round ${i + 1}: ${Object.values(stats.sddcListRequests).join(',')} SDDC-list calls per org, ${burst.errors} errors`);
  }
  await exporter.child.stop(10_000);
  return { ...upstream, rounds };
}

/** Phase 3 / 6: cold scrapes against a simulator with latency, and the parse floor. */
async function coldPhase(opts: Options, estate: EstateSize, label: string): Promise<ColdResult> {
  const sim = await startSim({ estate, latencyMs: opts.coldLatencyMs, tokenTtlSeconds: opts.tokenTtlS });
  try {
    const concurrency = opts.coldConcurrency ?? estate.orgs;
    const rounds = Math.ceil(estate.orgs / concurrency);
    const exporter: Exporter = await startExporter({ sim, cacheTtl: '0', concurrency, nodeFlags: profFlags(opts, label), extraArgs: onlyCollectors('sddcs') });
    const budget = { 'x-prometheus-scrape-timeout-seconds': '120' };
    const first = await scrape(exporter.origin, '/metrics', budget);
    assertGoodScrape(`${label}: first cold scrape`, first.status, first.body.toString('utf8'), estate.orgs);
    await resetSimStats(sim);
    const c0 = readCpuSeconds(exporter.child.pid);
    const run = await load({ origin: exporter.origin, path: '/metrics', headers: budget, concurrency: 1, total: opts.coldScrapes, keepSamples: true, timeoutMs: 180_000 });
    const c1 = readCpuSeconds(exporter.child.pid);
    if (run.errors > 0) throw new Error(`${label}: ${run.errors} failed cold scrapes: ${run.errorSamples.join('; ')}`);
    const stats = await simStats(sim);
    const rssBytes = readRssBytes(exporter.child.pid);
    const check = await scrape(exporter.origin, '/metrics', budget);
    const up = upSummary(check.body.toString('utf8'));
    await exporter.child.stop(10_000);
    const calls = Object.values(stats.sddcListRequests).reduce((a, b) => a + b, 0);
    const samples = run.samples ?? [];
    const medianMs = median(samples);
    const fl = await floor({ url: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, orgs: sim.orgs, runs: 7, latencyMs: opts.coldLatencyMs });
    return {
      estate,
      simLatencyMs: opts.coldLatencyMs,
      concurrency,
      rounds,
      scrapesMs: samples,
      medianMs,
      overheadMs: medianMs - rounds * opts.coldLatencyMs,
      cpuMsPerScrape: ((c1 - c0) * 1000) / run.requests,
      sddcCallsPerOrgPerScrape: calls / (estate.orgs * run.requests),
      up,
      rssBytes,
      floor: fl,
    };
  } finally {
    await sim.child.stop();
  }
}

/** The simulator counter of each collector's calls. */
const CALLS: Readonly<Record<string, (s: SimStats) => Readonly<Record<string, number>>>> = {
  orgs: (s) => s.orgGetRequests,
  maintenance: (s) => s.maintenanceRequests,
  tasks: (s) => s.taskRequests,
  subscriptions: (s) => s.subscriptionRequests,
  edrs: (s) => s.edrsRequests,
  aws_link: (s) => s.awsLinkRequests,
  api_token: (s): Record<string, number> => (s.apiTokenDetailsRequests > 0 ? { exporter: s.apiTokenDetailsRequests } : {}),
};

/** The SDDCs an EDRS collection asks about: those with clusters that are not being deleted. */
function edrsTargets(text: string): number {
  const withClusters = new Set(samplesOf(text, 'vmc_cluster_info').map((x) => x.labels['sddc_id']));
  const deleting = new Set(samplesOf(text, 'vmc_sddc_state', { state: 'DELETING' }).filter((x) => x.value === 1).map((x) => x.labels['sddc_id']));
  return [...withClusters].filter((id) => !deleting.has(id)).length;
}

/** `--vmc.concurrency` of the per-collector measurements: the exporter's default. */
const COLLECTOR_CONCURRENCY = 4;

/** Phase 7: each collector but the SDDC one, on its own, at `opts.collectorLatencyMs`. */
async function collectorsPhase(opts: Options): Promise<CollectorResult[]> {
  const sim = await startSim({ estate: opts.estate, latencyMs: opts.collectorLatencyMs, tokenTtlSeconds: opts.tokenTtlS });
  const results: CollectorResult[] = [];
  try {
    for (const c of COLLECTORS.filter((x) => x.name !== 'sddcs')) {
      const name = c.name;
      const apiToken = c.credentials === 'api-token';
      const exporter = await startExporter({
        sim,
        cacheTtl: '1h',
        concurrency: COLLECTOR_CONCURRENCY,
        auth: apiToken ? 'api-token' : 'oauth',
        extraArgs: [...onlyCollectors('sddcs', name), `--collector.${name}.ttl=${opts.collectorTtlS}s`],
      });
      try {
        const mine = (labels: Labels) => labels['collector'] === name;
        await scrape(exporter.origin, '/metrics', { 'x-prometheus-scrape-timeout-seconds': '120' });
        await untilCollectorsSucceed(exporter.origin, mine);
        const text = (await scrape(exporter.origin)).body.toString('utf8');
        const coldMs = Math.max(...samplesOf(text, 'vmc_collector_duration_seconds').filter((x) => mine(x.labels)).map((x) => x.value)) * 1000;
        const expectedKeys = name === 'edrs' ? edrsTargets(text) : apiToken ? 1 : sim.orgs.length;

        // one TTL round: the data falls due, 30 scrapes at once, the collection runs to its end
        await sleep(opts.collectorTtlS * 1000 + 500);
        await resetSimStats(sim);
        await load({ origin: exporter.origin, path: '/metrics', headers: { 'x-prometheus-scrape-timeout-seconds': '60' }, concurrency: opts.scrapers, total: opts.scrapers });
        let last = '';
        for (;;) {
          const now = JSON.stringify(CALLS[name]!(await simStats(sim)));
          if (now === last) break;
          last = now;
          await sleep(2000);
        }
        const after = (await scrape(exporter.origin)).body.toString('utf8');
        const success = samplesOf(after, 'vmc_collector_success').filter((x) => mine(x.labels));
        const callsPerKey = CALLS[name]!(await simStats(sim));
        results.push({
          collector: name,
          simLatencyMs: opts.collectorLatencyMs,
          concurrency: COLLECTOR_CONCURRENCY,
          coldMs,
          ttlSeconds: opts.collectorTtlS,
          scrapers: opts.scrapers,
          callsPerKey,
          expectedKeys,
          success: { up: success.filter((x) => x.value === 1).length, total: success.length },
        });
        log(`collector ${name}: cold ${coldMs.toFixed(0)} ms, ${Object.keys(callsPerKey).length} keys called in a TTL round`);
      } finally {
        await exporter.child.stop(10_000);
      }
    }
  } finally {
    await sim.child.stop();
  }
  return results;
}

/** The estate of a scaling point: `total` SDDCs over as many orgs as the main estate has, or the largest divisor of `total` below it. */
function scalingEstate(opts: Options, total: number): EstateSize {
  let orgs = Math.max(1, Math.min(opts.estate.orgs, total));
  while (orgs > 1 && total % orgs !== 0) orgs--;
  return { ...opts.estate, orgs, sddcsPerOrg: Math.max(1, Math.round(total / orgs)) };
}

async function main(): Promise<number> {
  let opts: Options | undefined;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (!opts) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  for (const f of ['dist/main.js', 'sim/dist/cli.js']) {
    if (!existsSync(join(ROOT, f))) {
      process.stderr.write(`bench: ${f} is missing: run \`npm run build\` first (npm run bench does)\n`);
      return 2;
    }
  }
  installCleanup();
  const started = performance.now();
  const e = opts.estate;
  const isDefault =
    e.orgs === DEFAULT_ESTATE.orgs && e.sddcsPerOrg === DEFAULT_ESTATE.sddcsPerOrg && e.hosts === DEFAULT_ESTATE.hosts && e.clusters === DEFAULT_ESTATE.clusters;
  const result: BenchResult = {
    startedAt: new Date().toISOString(),
    durationSeconds: 0,
    machine: machineInfo(),
    options: { ...opts },
    estate: { ...e, sddcs: totalSddcs(e), hostsTotal: totalSddcs(e) * e.hosts, isDefault },
    notes: [],
  };
  const tmp = mkdtempSync(join(tmpdir(), 'vmc-bench-'));
  atExit(() => rmSync(tmp, { recursive: true, force: true }));
  let orgIds: readonly string[] = [];
  try {
    if (!opts.probesOnly) await mainPhases(opts, result, tmp, (ids) => (orgIds = ids));
    if (opts.probes) {
      const p = opts.probes;
      log(`probes: ${p.estate.orgs} orgs x ${p.estate.sddcsPerOrg} SDDCs, ${p.shards} shards`);
      result.probes = await probePhase({ ...p, tokenTtlS: opts.tokenTtlS, warmupS: opts.warmupS, log });
    }
  } catch (err) {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    for (const line of unexpectedExits()) process.stderr.write(`bench: ${line}\n`);
    await stopAll();
    rmSync(tmp, { recursive: true, force: true });
    return 2;
  }
  await stopAll();
  rmSync(tmp, { recursive: true, force: true });

  if (result.cold) {
    result.notes.push('cached scrapes (1-2, 4, 5) run with every collector on; cold scrapes (3, 6) with the SDDC collector alone (--no-collector.* for the others).');
    result.notes.push(
      `cold overhead = median scrape latency - ${result.cold.rounds} x ${opts.coldLatencyMs} ms: with --vmc.concurrency=${result.cold.concurrency} ` +
        `and ${e.orgs} orgs all SDDC lists are fetched in parallel, so one simulator latency is on the critical path; ` +
        `it still includes receiving the upstream bodies over loopback and sending the exposition to the client.`,
    );
  }
  if (result.memory && result.memory.scrapes < 2000) result.notes.push(`only ${result.memory.scrapes} scrapes between memory readings (--min-scrapes)`);
  result.durationSeconds = (performance.now() - started) / 1000;
  result.machine.loadAvg.end = loadavg()[0] ?? Number.NaN;
  result.checks = evaluate(result, orgIds, !opts.quick);
  const file = writeJson(result, opts.outDir);
  process.stdout.write(`${render(result)}\n`);
  process.stdout.write(`results: ${file}\n`);
  return result.checks.some((c) => c.pass === false && c.info !== true) ? 1 : 0;
}

/** Phases 1-6: the main estate (cached, single flight, cold) and the scaling table. */
async function mainPhases(opts: Options, result: BenchResult, tmp: string, setOrgs: (ids: readonly string[]) => void): Promise<void> {
  const e = opts.estate;
  {
    log(`simulator: ${e.orgs} orgs x ${e.sddcsPerOrg} SDDCs x ${e.hosts} hosts`);
    const sim = await startSim({ estate: e, tokenTtlSeconds: opts.tokenTtlS });
    setOrgs(sim.orgs);
    try {
      await cachedPhase(opts, sim, result, tmp);
      log('route cost: the Express route against a bare dispatch of the same handler');
      result.routeCost = await routeCostPhase(opts, sim);
      if (result.upstream) {
        log(`single flight: --cache.ttl=${opts.ttlS}s, ${opts.scrapers} concurrent scrapers, ${opts.ttlRounds} rounds`);
        result.upstream = await singleFlightPhase(opts, sim, result.upstream);
      }
    } finally {
      await sim.child.stop();
    }

    log(`cold scrapes: simulator latency ${opts.coldLatencyMs} ms, ${opts.coldScrapes} sequential scrapes`);
    result.cold = await coldPhase(opts, e, 'cold');
    result.upstreamBytes = result.cold.floor.bytes;

    const points: ScalingPoint[] = [];
    for (const total of opts.scaling) {
      const se = scalingEstate(opts, total);
      log(`scaling: ${totalSddcs(se)} SDDCs (${se.orgs} orgs x ${se.sddcsPerOrg})`);
      const cold = await coldPhase(opts, se, `scaling-${totalSddcs(se)}`);
      points.push({ sddcs: totalSddcs(se), hosts: totalSddcs(se) * se.hosts, cold });
    }
    if (points.length > 0) result.scaling = points;

    if (!opts.skipCollectors) {
      log(`collectors one at a time: simulator latency ${opts.collectorLatencyMs} ms, TTL ${opts.collectorTtlS}s`);
      result.collectors = await collectorsPhase(opts);
    }
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 2;
  },
);
