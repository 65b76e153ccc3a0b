/**
 * The benchmark's result: its shape, the PASS/FAIL checks against the targets, the printed
 * table and the JSON file under `bench/results/`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FloorResult } from './parse-floor.js';
import type { LoadResult } from './load.js';
import type { LatencySummary } from './stats.js';
import type { EstateSize } from './sut.js';

/** Targets the exporter is judged against. */
export const TARGETS = {
  /** Cached throughput at least this fraction of the baseline's (plain and gzip). */
  throughputRatio: 0.8,
  /** Cached p99 latency at most this multiple of the baseline's p99. */
  p99Ratio: 1.5,
  /** Cold-scrape overhead at most this multiple of `JSON.parse` of the upstream bodies. */
  coldOverParse: 3,
  /** RSS at the default estate below this, bytes. */
  rssBytes: 250 * 1024 * 1024,
  /** RSS growth over the load phase below this, percent. */
  rssGrowthPct: 10,
} as const;

/** The machine the benchmark ran on. */
export interface MachineInfo {
  /** Online CPUs (`nproc`). */
  readonly nproc: number;
  /** `model name` from /proc/cpuinfo. */
  readonly cpuModel: string;
  /** Total memory, bytes. */
  readonly memTotalBytes: number;
  /** Node.js version. */
  readonly node: string;
  /** Kernel release. */
  readonly kernel: string;
  /** 1-minute load average at the start and at the end of the run (others' work shows here). */
  readonly loadAvg: { readonly start: number; end?: number };
}

/** Exporter vs baseline for one encoding. */
export interface CachedComparison {
  /** The exporter under load. */
  readonly exporter: LoadResult;
  /** The baseline under the same load. */
  readonly baseline: LoadResult;
  /** Exporter CPU (user+system) per scrape in that run, ms. */
  readonly exporterCpuMsPerScrape: number;
  /** Baseline CPU per request in that run, ms. */
  readonly baselineCpuMsPerRequest: number;
}

/** The exporter's Express route against a bare `node:http` dispatch of the same handler, for one encoding. */
export interface RouteCost {
  /** `/metrics` as an Express route behind the middleware. */
  readonly express: LoadResult;
  /** The same handler reached without Express's router and middleware. */
  readonly bypass: LoadResult;
}

/** One cold-scrape measurement (main estate or a scaling point). */
export interface ColdResult {
  /** The estate. */
  readonly estate: EstateSize;
  /** Simulator latency per VMC answer, ms. */
  readonly simLatencyMs: number;
  /** `--vmc.concurrency` used. */
  readonly concurrency: number;
  /** Sequential latency rounds per collection: ceil(orgs / concurrency). */
  readonly rounds: number;
  /** Scrape latencies (sequential, one client), ms. */
  readonly scrapesMs: readonly number[];
  /** Median scrape latency, ms. */
  readonly medianMs: number;
  /** Median scrape latency minus rounds × simulator latency, ms. */
  readonly overheadMs: number;
  /** Exporter CPU per cold scrape, ms. */
  readonly cpuMsPerScrape: number;
  /** SDDC-list calls per org per scrape seen by the simulator (1 = nothing cached). */
  readonly sddcCallsPerOrgPerScrape: number;
  /** `vmc_up` of a check scrape after the measured ones. */
  readonly up: { readonly up: number; readonly total: number };
  /** Exporter RSS after the scrapes, bytes. */
  readonly rssBytes: number;
  /** In-process floor on the same bodies. */
  readonly floor: FloorResult;
}

/** Upstream-call counts. */
export interface UpstreamResult {
  /** `--cache.ttl` of the single-flight exporter, s. */
  readonly ttlSeconds: number;
  /** Concurrent scrapers per round. */
  readonly scrapers: number;
  /** Per round: SDDC-list calls per org after `scrapers` concurrent scrapes of an expired cache. */
  readonly rounds: ReadonlyArray<{ readonly sddcListPerOrg: Readonly<Record<string, number>>; readonly errors: number; readonly maxScrapeMs: number }>;
  /** Token lifetime the simulator hands out, s. */
  readonly tokenLifetimeSeconds: number;
  /** Token requests per org over the cached phase (start to end, counters never reset). */
  readonly tokenRequestsPerOrg: Readonly<Record<string, number>>;
  /** SDDC-list calls per org over the cached phase (TTL longer than the phase: expect 1). */
  readonly cachedPhaseSddcListPerOrg: Readonly<Record<string, number>>;
  /** Scrapes of the exporter over which tokens were counted. */
  readonly scrapesCounted: number;
  /** Wall time over which tokens were counted, s. */
  readonly spanSeconds: number;
}

/** Memory and CPU of the cached exporter. */
export interface MemoryResult {
  /** After warm-up. */
  readonly afterWarmup: { readonly rssBytes: number; readonly heapUsedBytes: number };
  /** After the load phase. */
  readonly afterLoad: { readonly rssBytes: number; readonly heapUsedBytes: number };
  /** Scrapes served between the two readings. */
  readonly scrapes: number;
  /** RSS growth between the two point readings, percent (at the mercy of where in the GC cycle each falls). */
  readonly rssGrowthPct: number;
  /** After warm-up, right after a forced full GC (inspector `HeapProfiler.collectGarbage`). */
  readonly afterWarmupGc: { readonly rssBytes: number; readonly heapUsedBytes: number };
  /** After the load phase, right after a forced full GC. */
  readonly afterLoadGc: { readonly rssBytes: number; readonly heapUsedBytes: number };
  /**
   * RSS growth between the two readings after a full GC, percent: what the exporter keeps,
   * not where the GC sawtooth is (RSS swings by tens of MB under load). Judged.
   */
  readonly settledRssGrowthPct: number;
  /** Heap-used growth between the two readings after a full GC, percent. */
  readonly settledHeapGrowthPct: number;
  /** Heap growth between the two readings, percent. */
  readonly heapGrowthPct: number;
  /** RSS sampled every 250 ms between the two readings. */
  readonly rssDuringLoad: {
    readonly min: number;
    readonly max: number;
    readonly samples: number;
  };
  /** `VmHWM`: the highest RSS since the exporter started (startup and first collection included). */
  readonly peakRssBytes: number;
  /** Every 4th RSS sample: [ms since the first reading, bytes]. */
  readonly rssSeries: ReadonlyArray<readonly [number, number]>;
}

/** One scaling point. */
export interface ScalingPoint {
  /** Total SDDCs. */
  readonly sddcs: number;
  /** Total hosts. */
  readonly hosts: number;
  /** Cold result at this size. */
  readonly cold: ColdResult;
}

/** One collector measured on its own (with the SDDC collector it may depend on). */
export interface CollectorResult {
  /** The collector's name. */
  readonly collector: string;
  /** Simulator latency per VMC answer, ms. */
  readonly simLatencyMs: number;
  /** `--vmc.concurrency` used. */
  readonly concurrency: number;
  /** The collector's first collection: the longest `vmc_collector_duration_seconds` over the orgs, ms. */
  readonly coldMs: number;
  /** The collector's TTL in the measured round, s. */
  readonly ttlSeconds: number;
  /** Concurrent scrapes fired once the TTL had passed. */
  readonly scrapers: number;
  /** Calls per key (org, or org/SDDC for EDRS, or `exporter`) in that TTL round. */
  readonly callsPerKey: Readonly<Record<string, number>>;
  /** Keys that should have been called once each. */
  readonly expectedKeys: number;
  /** `vmc_collector_success` of the collector over its orgs after the round: succeeded / total. */
  readonly success: { readonly up: number; readonly total: number };
}

/** One PASS/FAIL line. */
export interface Check {
  /** What is checked. */
  readonly name: string;
  /** The target, as text. */
  readonly target: string;
  /** The measured value, as text. */
  readonly value: string;
  /** true = PASS, false = FAIL, undefined = SKIP (not measured or not applicable). */
  readonly pass: boolean | undefined;
  /** A performance target shown for information only (`--quick`): printed as INFO, never fails. */
  readonly info?: boolean;
}

/** Everything one benchmark run produced. */
export interface BenchResult {
  /** ISO start time. */
  readonly startedAt: string;
  /** Wall time of the whole run, s. */
  durationSeconds: number;
  /** The machine. */
  readonly machine: MachineInfo;
  /** The command-line options in effect. */
  readonly options: Readonly<Record<string, unknown>>;
  /** The main estate. */
  readonly estate: EstateSize & { readonly sddcs: number; readonly hostsTotal: number; readonly isDefault: boolean };
  /** Exporter command line of the cached phase. */
  exporterArgv?: readonly string[];
  /** First scrape after start (tokens + first collection), ms. */
  firstScrapeMs?: number;
  /** Size of one plain scrape (the body the baseline serves), bytes. */
  expositionBytes?: number;
  /** Size of one gzip scrape (the body the gzip baseline serves), bytes. */
  gzipBytes?: number;
  /** Total size of the SDDC list bodies of all orgs, bytes. */
  upstreamBytes?: number;
  /** Cached throughput, plain. */
  plain?: CachedComparison;
  /** Cached throughput, gzip. */
  gzip?: CachedComparison;
  /** What the Express route costs, plain and gzip. */
  routeCost?: { plain: RouteCost; gzip: RouteCost };
  /** Memory of the cached exporter. */
  memory?: MemoryResult;
  /** Upstream calls. */
  upstream?: UpstreamResult;
  /** Cold scrape at the main estate. */
  cold?: ColdResult;
  /** Scaling points. */
  scaling?: ScalingPoint[];
  /** Many orgs through /probe. */
  probes?: ProbeScaleResult;
  /** Each collector but the SDDC one, on its own. */
  collectors?: CollectorResult[];
  /** PASS/FAIL lines. */
  checks?: Check[];
  /** Notes printed under the table. */
  notes: string[];
}

/** One round of the probe phase: every shard probes every org once. */
export interface ProbeRound {
  /** `cold`, `next TTL` or `cached`. */
  readonly label: string;
  /** Wall time from the first shard's start to the last shard's end, ms. */
  readonly spanMs: number;
  /** Probes answered. */
  readonly probes: number;
  /** Probes not answered 200 with `vmc_up 1`. */
  readonly errors: number;
  /** First few failures. */
  readonly errorSamples: readonly string[];
  /** Per-probe latency over all shards, ms. */
  readonly latency: LatencySummary;
  /** Probes per second over the round. */
  readonly probesPerSecond: number;
  /** Exporter CPU per probe, ms. */
  readonly cpuMsPerProbe: number;
  /** Mean answer size, bytes. */
  readonly bytesPerProbe: number;
  /** SDDC-list calls per org seen by the simulator in the round. */
  readonly sddcListPerOrg: CountSpread;
}

/** How a per-org counter spreads over the estate's orgs. */
export interface CountSpread {
  readonly min: number;
  readonly max: number;
  /** Orgs of the estate. */
  readonly orgs: number;
  /** Sum over every key. */
  readonly total: number;
  /** Keys that are not orgs of the estate (e.g. a token without orgId). */
  readonly otherKeys: number;
}

/** Phase 7: many orgs through /probe. */
export interface ProbeScaleResult {
  readonly estate: EstateSize;
  /** Concurrent probing shards. */
  readonly shards: number;
  /** Probes in flight per shard. */
  readonly concurrency: number;
  readonly ttlSeconds: number;
  readonly idleSeconds: number;
  readonly simLatencyMs: number;
  readonly vmcConcurrency: number;
  readonly exporterArgv: readonly string[];
  /** Cold, next TTL, cached. */
  readonly rounds: readonly ProbeRound[];
  /** Token requests per org over the phase. */
  readonly tokens: CountSpread & { readonly lifetimeSeconds: number; readonly spanSeconds: number };
  /**
   * Heap used (and RSS) after a full GC: in the fresh process; at the start (after warm-up
   * orgs were probed and forgotten); with every org probed; after --probe.idle forgot them.
   */
  readonly heap: {
    readonly fresh: { readonly heapUsedBytes: number; readonly rssBytes: number };
    readonly start: { readonly heapUsedBytes: number; readonly rssBytes: number };
    readonly probed: { readonly heapUsedBytes: number; readonly rssBytes: number };
    readonly forgotten: { readonly heapUsedBytes: number; readonly rssBytes: number };
    readonly forgottenVsStartPct: number;
    /** `vmc_token_*` series labelled with an org left after forgetting. */
    readonly orgTokenSeriesAfter: number;
  };
  /** /probe against /metrics, cached, for the same org on one exporter. */
  readonly throughput: {
    readonly org: string;
    readonly exporterArgv: readonly string[];
    readonly probe: LoadResult;
    readonly metrics: LoadResult;
    readonly probeBytes: number;
    readonly metricsBytes: number;
    readonly probeCpuMsPerRequest: number;
    readonly metricsCpuMsPerRequest: number;
  };
}

/** Heap after forgetting at most this much above the start, percent. */
export const PROBE_HEAP_GROWTH_PCT = 10;

const MB = 1024 * 1024;

function f(n: number | undefined, digits = 1): string {
  return n === undefined || !Number.isFinite(n) ? 'n/a' : n.toFixed(digits);
}

function mb(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return 'n/a';
  if (bytes < MB) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / MB).toFixed(1)} MB`;
}

function allEqual(map: Readonly<Record<string, number>> | undefined, orgs: readonly string[] | undefined, value: number): boolean {
  if (map === undefined) return false;
  const keys = orgs ?? Object.keys(map);
  return keys.length > 0 && keys.every((k) => map[k] === value) && Object.keys(map).every((k) => keys.includes(k));
}

function range(map: Readonly<Record<string, number>>, orgs: readonly string[]): string {
  const values = orgs.map((o) => map[o] ?? 0);
  const extra = Object.keys(map).filter((k) => !orgs.includes(k));
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return `${lo === hi ? lo : `${lo}..${hi}`} for ${orgs.length} orgs${extra.length > 0 ? ` (+${extra.length} other keys)` : ''}`;
}

/**
 * Evaluates the targets. `orgs` are the org ids of the main estate. With `judgePerformance`
 * false (`--quick`: a small estate where fixed per-request costs dominate) the performance
 * targets are reported as INFO; correctness checks (errors, upstream call counts) always count.
 */
export function evaluate(r: BenchResult, orgs: readonly string[], judgePerformance = true): Check[] {
  const checks: Check[] = [];
  const perf = (c: Check): Check => (judgePerformance ? c : { ...c, info: true });
  for (const [label, c] of [
    ['plain', r.plain],
    ['gzip', r.gzip],
  ] as const) {
    if (!c) continue;
    const tr = c.exporter.rps / c.baseline.rps;
    checks.push(perf({ name: `cached throughput (${label}) vs baseline`, target: `>= ${TARGETS.throughputRatio}x`, value: `${f(tr, 2)}x`, pass: tr >= TARGETS.throughputRatio }));
    const pr = c.exporter.latency.p99 / c.baseline.latency.p99;
    checks.push(perf({ name: `cached p99 (${label}) vs baseline p99`, target: `<= ${TARGETS.p99Ratio}x`, value: `${f(pr, 2)}x`, pass: pr <= TARGETS.p99Ratio }));
    const errors = c.exporter.errors + c.baseline.errors;
    checks.push({ name: `no failed requests (${label})`, target: '0', value: String(errors), pass: errors === 0 });
  }
  if (r.routeCost) {
    for (const [label, c] of Object.entries(r.routeCost)) {
      checks.push(perf({ name: `Express route vs bare dispatch (${label}), throughput`, target: 'info', value: `${f(c.express.rps / c.bypass.rps, 3)}x`, pass: true }));
    }
  }
  if (r.cold) {
    const ratio = r.cold.overheadMs / r.cold.floor.jsonParseMs;
    checks.push(perf({ name: 'cold overhead vs JSON.parse', target: `<= ${TARGETS.coldOverParse}x`, value: `${f(ratio, 2)}x`, pass: ratio <= TARGETS.coldOverParse }));
    checks.push({
      name: 'cold scrapes complete (vmc_up=1, 1 call/org/scrape)',
      target: 'all orgs up',
      value: `${r.cold.up.up}/${r.cold.up.total} up, ${f(r.cold.sddcCallsPerOrgPerScrape, 2)} calls/org/scrape`,
      pass: r.cold.up.total > 0 && r.cold.up.up === r.cold.up.total && r.cold.sddcCallsPerOrgPerScrape === 1,
    });
  }
  if (r.memory) {
    const rss = Math.max(r.memory.afterWarmup.rssBytes, r.memory.afterLoad.rssBytes, r.memory.rssDuringLoad.max);
    checks.push(
      perf({
        name: `RSS under load at the ${r.estate.isDefault ? 'default' : 'chosen'} estate (highest reading)`,
        target: `< ${TARGETS.rssBytes / MB} MB${r.estate.isDefault ? '' : ' (judged at the default estate only)'}`,
        value: mb(rss),
        pass: r.estate.isDefault ? rss < TARGETS.rssBytes : undefined,
      }),
    );
    const enough = r.memory.scrapes >= 2000;
    checks.push(
      perf({
        name: `RSS growth over ${r.memory.scrapes} scrapes`,
        target: `< ${TARGETS.rssGrowthPct} % (after full GC, >= 2000 scrapes)`,
        value: `${f(r.memory.settledRssGrowthPct, 1)} % (heap ${f(r.memory.settledHeapGrowthPct, 1)} %; no GC: ${f(r.memory.rssGrowthPct, 1)} %)`,
        pass: enough && r.memory.settledRssGrowthPct < TARGETS.rssGrowthPct,
      }),
    );
  }
  if (r.upstream) {
    const u = r.upstream;
    const ok = u.rounds.length > 0 && u.rounds.every((round) => allEqual(round.sddcListPerOrg, orgs, 1));
    checks.push({
      name: `SDDC-list calls per org per TTL (${u.scrapers} concurrent scrapers)`,
      target: 'exactly 1',
      value: u.rounds.map((round) => range(round.sddcListPerOrg, orgs)).join('; '),
      pass: ok,
    });
    checks.push({
      name: `token requests per org per token lifetime (${u.scrapesCounted} scrapes in ${f(u.spanSeconds, 0)} s)`,
      target: 'exactly 1',
      value: range(u.tokenRequestsPerOrg, orgs),
      pass: allEqual(u.tokenRequestsPerOrg, orgs, 1) && u.spanSeconds < u.tokenLifetimeSeconds,
    });
    checks.push({
      name: 'SDDC-list calls per org during the cached phase (TTL > phase)',
      target: 'exactly 1',
      value: range(u.cachedPhaseSddcListPerOrg, orgs),
      pass: allEqual(u.cachedPhaseSddcListPerOrg, orgs, 1),
    });
  }
  if (r.probes) {
    const p = r.probes;
    const errors = p.rounds.reduce((a, x) => a + x.errors, 0);
    checks.push({ name: `probe rounds answered 200 with vmc_up 1 (${p.rounds.reduce((a, x) => a + x.probes, 0)} probes)`, target: '0 failures', value: String(errors), pass: errors === 0 });
    for (const round of p.rounds) {
      const want = round.label === 'cached' ? 0 : 1;
      const s = round.sddcListPerOrg;
      checks.push({
        name: `SDDC-list calls per org, ${round.label} round (${p.shards} shards probe every org)`,
        target: `exactly ${want}`,
        value: `${s.min === s.max ? s.min : `${s.min}..${s.max}`} for ${s.orgs} orgs${round.spanMs < p.ttlSeconds * 1000 ? '' : ` (round lasted ${f(round.spanMs / 1000, 1)} s, longer than the TTL)`}`,
        pass: s.min === want && s.max === want && s.otherKeys === 0 && round.spanMs < p.ttlSeconds * 1000,
      });
    }
    const t = p.tokens;
    checks.push({
      name: `token requests per org per token lifetime (probes, ${f(t.spanSeconds, 0)} s)`,
      target: 'exactly 1',
      value: `${t.min === t.max ? t.min : `${t.min}..${t.max}`} for ${t.orgs} orgs${t.otherKeys > 0 ? ` (+${t.otherKeys} other keys)` : ''}`,
      pass: t.min === 1 && t.max === 1 && t.otherKeys === 0 && t.spanSeconds < t.lifetimeSeconds,
    });
    checks.push(
      perf({
        name: 'heap after --probe.idle forgot every org vs the start (full GC)',
        target: `within ${PROBE_HEAP_GROWTH_PCT} %`,
        value: `${f(p.heap.forgottenVsStartPct, 1)} % (${mb(p.heap.start.heapUsedBytes)} -> ${mb(p.heap.probed.heapUsedBytes)} probed -> ${mb(p.heap.forgotten.heapUsedBytes)})`,
        pass: Math.abs(p.heap.forgottenVsStartPct) <= PROBE_HEAP_GROWTH_PCT,
      }),
    );
    checks.push({ name: 'token series of forgotten orgs', target: 'none', value: String(p.heap.orgTokenSeriesAfter), pass: p.heap.orgTokenSeriesAfter === 0 });
    const tp = p.throughput;
    checks.push({ name: 'cached /probe vs /metrics for the same org (no failed requests)', target: '0', value: String(tp.probe.errors + tp.metrics.errors), pass: tp.probe.errors + tp.metrics.errors === 0 });
  }
  for (const c of r.collectors ?? []) {
    const v = Object.values(c.callsPerKey);
    const exact = v.length === c.expectedKeys && v.every((n) => n === 1);
    checks.push({
      name: `${c.collector}: calls per ${c.collector === 'edrs' ? 'SDDC' : c.collector === 'api_token' ? 'exporter' : 'org'} per TTL (${c.scrapers} concurrent scrapers)`,
      target: 'exactly 1',
      value: `${v.length > 0 ? `${Math.min(...v)}..${Math.max(...v)}` : 'none'} for ${v.length} of ${c.expectedKeys}; success ${c.success.up}/${c.success.total}`,
      pass: exact && c.success.up === c.success.total && c.success.total > 0,
    });
  }
  return checks;
}

function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, alignLeft = 1): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i < alignLeft ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The human-readable report. */
export function render(r: BenchResult): string {
  const out: string[] = [];
  const m = r.machine;
  const e = r.estate;
  out.push(`vmc-exporter benchmark — ${r.startedAt}`);
  out.push(`machine: ${m.nproc} CPUs (${m.cpuModel}), ${mb(m.memTotalBytes)} RAM, Node ${m.node}, Linux ${m.kernel}`);
  out.push(`load average (1 min): ${f(m.loadAvg.start, 2)} at start, ${f(m.loadAvg.end, 2)} at end`);
  out.push(
    `estate:  ${e.orgs} orgs x ${e.sddcsPerOrg} SDDCs x ${e.hosts} hosts in ${e.clusters} clusters = ${e.sddcs} SDDCs, ${e.hostsTotal} hosts; ` +
      `upstream ${mb(r.upstreamBytes)}, exposition ${mb(r.expositionBytes)} (gzip ${mb(r.gzipBytes)})`,
  );
  if (r.exporterArgv) out.push(`exporter: ${r.exporterArgv.join(' ')}`);
  if (r.firstScrapeMs !== undefined) out.push(`first scrape after start (tokens + first collection): ${f(r.firstScrapeMs, 0)} ms`);

  const cachedRows: string[][] = [];
  for (const [label, c] of [
    ['plain', r.plain],
    ['gzip', r.gzip],
  ] as const) {
    if (!c) continue;
    for (const [who, l, cpu] of [
      ['exporter', c.exporter, c.exporterCpuMsPerScrape],
      ['baseline', c.baseline, c.baselineCpuMsPerRequest],
    ] as const) {
      cachedRows.push([
        `${label} ${who}`,
        String(l.requests),
        f(l.rps, 1),
        f(l.latency.p50, 2),
        f(l.latency.p90, 2),
        f(l.latency.p99, 2),
        f(l.latency.max, 1),
        f(cpu, 2),
        f((l.bytes * 8) / (l.elapsedMs / 1000) / 1e9, 2),
        String(l.errors),
      ]);
    }
    cachedRows.push([`${label} ratio`, '', `${f(c.exporter.rps / c.baseline.rps, 2)}x`, `${f(c.exporter.latency.p50 / c.baseline.latency.p50, 2)}x`, '', `${f(c.exporter.latency.p99 / c.baseline.latency.p99, 2)}x`, '', '', '', '']);
  }
  if (cachedRows.length > 0) {
    const c = r.plain ?? r.gzip;
    out.push('');
    out.push(`1-2. cached scrapes: ${c ? `${String(r.options['concurrency'])} concurrent clients, ${f(c.exporter.elapsedMs / 1000, 1)} s each` : ''}, same load generator (own process), same bytes`);
    out.push(table(['run', 'requests', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'CPU ms/req', 'Gbit/s', 'errors'], cachedRows));
  }
  if (r.routeCost) {
    const rows: string[][] = [];
    for (const [label, c] of Object.entries(r.routeCost)) {
      for (const [who, l] of [['express', c.express], ['bypass', c.bypass]] as const) {
        rows.push([`${label} ${who}`, String(l.requests), f(l.rps, 1), f(l.latency.p50, 2), f(l.latency.p99, 2), String(l.errors)]);
      }
      rows.push([`${label} ratio`, '', `${f(c.express.rps / c.bypass.rps, 3)}x`, `${f(c.express.latency.p50 / c.bypass.latency.p50, 3)}x`, `${f(c.express.latency.p99 / c.bypass.latency.p99, 3)}x`, '']);
    }
    out.push('');
    out.push('1b. the Express route against a bare node:http dispatch of the same handler (same process, cached body, alternating rounds)');
    out.push(table(['run', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'errors'], rows));
  }

  if (r.cold) {
    const c = r.cold;
    out.push('');
    out.push(
      `3. cold scrape (--cache.ttl=0, simulator latency ${c.simLatencyMs} ms, --vmc.concurrency=${c.concurrency} => ${c.rounds} latency round${c.rounds === 1 ? '' : 's'}), ${c.scrapesMs.length} sequential scrapes`,
    );
    out.push(
      table(
        ['measure', 'ms'],
        [
          ['scrape latency (median)', f(c.medianMs, 1)],
          [`overhead = median - ${c.rounds} x ${c.simLatencyMs} ms`, f(c.overheadMs, 1)],
          ['exporter CPU per cold scrape', f(c.cpuMsPerScrape, 1)],
          [`floor: JSON.parse of the ${c.floor.bodies} bodies (${mb(c.floor.bytes)}), median of ${c.floor.runs}`, f(c.floor.jsonParseMs, 1)],
          ['  for reference: UTF-8 decode of the bodies', f(c.floor.decodeMs, 1)],
          ['  for reference: parseSddcList', f(c.floor.parseSddcListMs, 1)],
          [`  for reference: render + encode (${mb(c.floor.renderedBytes)})`, f(c.floor.renderMs, 1)],
          [`  for reference: minimal client (parallel fetch + decode + JSON.parse) - ${c.simLatencyMs} ms`, f(c.floor.minimalClientMs, 1)],
          ['ratio overhead / JSON.parse', `${f(c.overheadMs / c.floor.jsonParseMs, 2)}x`],
        ],
      ),
    );
  }

  if (r.upstream) {
    const u = r.upstream;
    out.push('');
    out.push(`4. upstream calls (--cache.ttl=${u.ttlSeconds}s, ${u.scrapers} concurrent scrapes once the cache has expired, ${u.rounds.length} rounds)`);
    const rows = u.rounds.map((round, i) => {
      const v = Object.values(round.sddcListPerOrg);
      return [`TTL round ${i + 1}`, String(Object.keys(round.sddcListPerOrg).length), String(Math.min(...v)), String(Math.max(...v)), String(round.errors), f(round.maxScrapeMs, 0)];
    });
    out.push(table(['round', 'orgs called', 'min calls/org', 'max calls/org', 'errors', 'slowest scrape ms'], rows));
    const t = Object.values(u.tokenRequestsPerOrg);
    const s = Object.values(u.cachedPhaseSddcListPerOrg);
    out.push(
      `token requests per org over ${u.scrapesCounted} scrapes in ${f(u.spanSeconds, 0)} s (token lifetime ${u.tokenLifetimeSeconds} s): ` +
        `min ${Math.min(...t)}, max ${Math.max(...t)} over ${t.length} org keys; SDDC-list calls per org in that phase: min ${Math.min(...s)}, max ${Math.max(...s)}`,
    );
  }

  if (r.memory) {
    const mm = r.memory;
    out.push('');
    out.push(`5. memory of the cached exporter (${mm.scrapes} scrapes between readings)`);
    out.push(
      table(
        ['reading', 'RSS', 'heap used'],
        [
          ['after warm-up', mb(mm.afterWarmup.rssBytes), mb(mm.afterWarmup.heapUsedBytes)],
          ['after load', mb(mm.afterLoad.rssBytes), mb(mm.afterLoad.heapUsedBytes)],
          ['growth', `${f(mm.rssGrowthPct, 1)} %`, `${f(mm.heapGrowthPct, 1)} %`],
          ['after warm-up, full GC', mb(mm.afterWarmupGc.rssBytes), mb(mm.afterWarmupGc.heapUsedBytes)],
          ['after load, full GC', mb(mm.afterLoadGc.rssBytes), mb(mm.afterLoadGc.heapUsedBytes)],
          ['growth after full GC (judged)', `${f(mm.settledRssGrowthPct, 1)} %`, `${f(mm.settledHeapGrowthPct, 1)} %`],
          [`under load: min .. max of ${mm.rssDuringLoad.samples} samples`, `${mb(mm.rssDuringLoad.min)} .. ${mb(mm.rssDuringLoad.max)}`, ''],
          ['peak since start (VmHWM)', mb(mm.peakRssBytes), ''],
        ],
      ),
    );
    out.push('(heap used = nodejs_heap_size_used_bytes of a scrape; without a GC it includes garbage not yet collected. Full GC: HeapProfiler.collectGarbage over --inspect=127.0.0.1:0)');
    if (r.plain) out.push(`CPU per cached scrape: plain ${f(r.plain.exporterCpuMsPerScrape, 2)} ms, gzip ${f(r.gzip?.exporterCpuMsPerScrape, 2)} ms (utime+stime from /proc/<pid>/stat)`);
  }

  if (r.scaling && r.scaling.length > 0) {
    out.push('');
    out.push(`6. scaling (cold scrapes as in 3; ${r.scaling[0]?.cold.estate.hosts ?? '?'} hosts per SDDC; dRSS/dSDDC = RSS slope from the previous point)`);
    out.push(
      table(
        ['SDDCs', 'hosts', 'orgs', 'upstream', 'overhead ms', 'JSON.parse ms', 'ratio', 'min. client ms', 'us/SDDC', 'parse us/SDDC', 'RSS', 'dRSS/dSDDC KB', 'up'],
        r.scaling.map((p, i) => {
          const c = p.cold;
          const prev = r.scaling?.[i - 1];
          const dRss = prev ? (c.rssBytes - prev.cold.rssBytes) / 1024 / (p.sddcs - prev.sddcs) : Number.NaN;
          return [
            String(p.sddcs),
            String(p.hosts),
            String(c.estate.orgs),
            mb(c.floor.bytes),
            f(c.overheadMs, 1),
            f(c.floor.jsonParseMs, 1),
            `${f(c.overheadMs / c.floor.jsonParseMs, 2)}x`,
            f(c.floor.minimalClientMs, 1),
            f((c.overheadMs * 1000) / p.sddcs, 0),
            f((c.floor.jsonParseMs * 1000) / p.sddcs, 0),
            mb(c.rssBytes),
            f(dRss, 1),
            `${c.up.up}/${c.up.total}`,
          ];
        }),
      ),
    );
  }

  if (r.probes) {
    const p = r.probes;
    const e = p.estate;
    out.push('');
    out.push(
      `7. probes: ${e.orgs} orgs x ${e.sddcsPerOrg} SDDCs x ${e.hosts} hosts, ${p.shards} shards each probing every org (${p.concurrency} in flight each), ` +
        `--cache.ttl=${p.ttlSeconds}s, --probe.idle=${p.idleSeconds}s, simulator latency ${p.simLatencyMs} ms, --vmc.concurrency=${p.vmcConcurrency}`,
    );
    out.push(`exporter: ${p.exporterArgv.join(' ')}`);
    out.push(
      table(
        ['round', 'probes', 'span s', 'probes/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'CPU ms/probe', 'KB/probe', 'SDDC lists/org', 'errors'],
        p.rounds.map((x) => [
          x.label,
          String(x.probes),
          f(x.spanMs / 1000, 1),
          f(x.probesPerSecond, 0),
          f(x.latency.p50, 2),
          f(x.latency.p90, 2),
          f(x.latency.p99, 2),
          f(x.latency.max, 1),
          f(x.cpuMsPerProbe, 2),
          f(x.bytesPerProbe / 1024, 1),
          x.sddcListPerOrg.min === x.sddcListPerOrg.max ? String(x.sddcListPerOrg.min) : `${x.sddcListPerOrg.min}..${x.sddcListPerOrg.max}`,
          String(x.errors),
        ]),
      ),
    );
    out.push(`token requests per org over ${f(p.tokens.spanSeconds, 0)} s (token lifetime ${p.tokens.lifetimeSeconds} s): min ${p.tokens.min}, max ${p.tokens.max} over ${p.tokens.orgs} orgs`);
    out.push(
      table(
        ['heap after a full GC', 'heap used', 'RSS'],
        [
          ['fresh process (nothing probed)', mb(p.heap.fresh.heapUsedBytes), mb(p.heap.fresh.rssBytes)],
          ['start (warm-up orgs probed and forgotten)', mb(p.heap.start.heapUsedBytes), mb(p.heap.start.rssBytes)],
          [`every org probed (${e.orgs})`, mb(p.heap.probed.heapUsedBytes), mb(p.heap.probed.rssBytes)],
          [`after --probe.idle forgot them`, mb(p.heap.forgotten.heapUsedBytes), mb(p.heap.forgotten.rssBytes)],
          ['forgotten vs start', `${f(p.heap.forgottenVsStartPct, 1)} %`, ''],
        ],
      ),
    );
    out.push('(heap used = process.memoryUsage().heapUsed, read over --inspect right after HeapProfiler.collectGarbage; the warm-up orgs are not among the measured ones)');
    const tp = p.throughput;
    out.push(`cached throughput of one org on one exporter (${tp.exporterArgv.join(' ')}), ${String(r.options['probeThroughputConcurrency'] ?? '')} clients:`);
    out.push(
      table(
        ['path', 'bytes', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'CPU ms/req', 'errors'],
        [
          ['/probe?target=<org>', String(tp.probeBytes), String(tp.probe.requests), f(tp.probe.rps, 0), f(tp.probe.latency.p50, 2), f(tp.probe.latency.p99, 2), f(tp.probeCpuMsPerRequest, 3), String(tp.probe.errors)],
          ['/metrics', String(tp.metricsBytes), String(tp.metrics.requests), f(tp.metrics.rps, 0), f(tp.metrics.latency.p50, 2), f(tp.metrics.latency.p99, 2), f(tp.metricsCpuMsPerRequest, 3), String(tp.metrics.errors)],
          ['ratio /probe / /metrics', '', '', `${f(tp.probe.rps / tp.metrics.rps, 2)}x`, '', `${f(tp.probe.latency.p99 / tp.metrics.latency.p99, 2)}x`, '', ''],
        ],
      ),
    );
  }
  if (r.collectors && r.collectors.length > 0) {
    const first = r.collectors[0]!;
    out.push('');
    out.push(
      `8. collectors one at a time (with the SDDC collector), simulator latency ${first.simLatencyMs} ms, --vmc.concurrency=${first.concurrency}: ` +
        'cold = the first collection (vmc_collector_duration_seconds, longest org); calls counted in one TTL round',
    );
    out.push(
      table(
        ['collector', 'cold ms', 'TTL s', 'keys called', 'expected', 'min calls', 'max calls', 'success'],
        r.collectors.map((c) => {
          const v = Object.values(c.callsPerKey);
          return [c.collector, f(c.coldMs, 0), String(c.ttlSeconds), String(v.length), String(c.expectedKeys), String(v.length ? Math.min(...v) : 0), String(v.length ? Math.max(...v) : 0), `${c.success.up}/${c.success.total}`];
        }),
      ),
    );
  }

  if (r.checks && r.checks.length > 0) {
    out.push('');
    out.push('checks');
    const word = (c: Check): string => (c.pass === undefined ? 'SKIP' : c.info === true ? (c.pass ? 'info' : 'INFO') : c.pass ? 'PASS' : 'FAIL');
    out.push(table(['result', 'check', 'target', 'measured'], r.checks.map((c) => [word(c), c.name, c.target, c.value]), 4));
    if (r.checks.some((c) => c.info === true)) {
      out.push('info/INFO: performance target met/missed, not judged in --quick mode (small estate: fixed per-request costs dominate); run without --quick');
    }
  }
  if (r.notes.length > 0) {
    out.push('');
    for (const n of r.notes) out.push(`note: ${n}`);
  }
  out.push(`\ntotal bench time ${f(r.durationSeconds, 0)} s`);
  return out.join('\n');
}

/** Writes the result as JSON to `<dir>/<timestamp>.json` and returns the path. */
export function writeJson(r: BenchResult, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${r.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
  return file;
}
