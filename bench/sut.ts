/**
 * The systems under test as child processes: the simulator (`sim/dist/cli.js`) and the
 * built exporter (`dist/main.js`), plus the simulator's control API and one-off scrapes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import type { SimulatorStatsSnapshot } from '../sim/src/stats.js';
import { type Child, firstJsonLine, freePort, ROOT, waitForOk } from '../test/helpers/processes.js';
import { parseExposition } from '../test/helpers/exposition.js';
import { spawnNode } from './procs.js';

/** Size of a generated estate. */
export interface EstateSize {
  /** Orgs. */
  readonly orgs: number;
  /** SDDCs per org. */
  readonly sddcsPerOrg: number;
  /** Hosts per SDDC. */
  readonly hosts: number;
  /** Clusters per SDDC. */
  readonly clusters: number;
  /** Seed of the generated estate. */
  readonly seed: number;
}

/** The line the simulator prints once it listens. */
export interface SimInfo {
  /** Base URL of CSP and VMC. */
  readonly url: string;
  /** OAuth app id. */
  readonly clientId: string;
  /** OAuth app secret. */
  readonly clientSecret: string;
  /** User API token. */
  readonly apiToken: string;
  /** Org ids, home org first. */
  readonly orgs: readonly string[];
}

/** A running simulator child. */
export interface Sim extends SimInfo {
  /** The child process. */
  readonly child: Child;
}

/** The counters of `GET /_sim/stats`. */
export type SimStats = SimulatorStatsSnapshot;

/** Options of {@link startSim}. */
export interface SimOptions {
  /** Estate to generate. */
  readonly estate: EstateSize;
  /** Delay the simulator adds to every VMC answer, ms. @default 0 */
  readonly latencyMs?: number;
  /** `expires_in` of issued tokens, s. @default the simulator's (1799) */
  readonly tokenTtlSeconds?: number;
}

/** Starts the simulator with a generated estate and waits for its JSON line. */
export async function startSim(opts: SimOptions): Promise<Sim> {
  const e = opts.estate;
  const args = [
    join(ROOT, 'sim/dist/cli.js'),
    '--listen',
    '127.0.0.1:0',
    '--estate',
    'generated',
    '--orgs',
    String(e.orgs),
    '--sddcs',
    String(e.sddcsPerOrg),
    '--hosts',
    String(e.hosts),
    '--clusters',
    String(e.clusters),
    '--seed',
    String(e.seed),
    '--latency-ms',
    String(opts.latencyMs ?? 0),
    ...(opts.tokenTtlSeconds === undefined ? [] : ['--token-ttl', String(opts.tokenTtlSeconds)]),
  ];
  const child = spawnNode('simulator', args);
  const info = await firstJsonLine<SimInfo>(child, 120_000);
  return { ...info, child };
}

/** Reads the simulator's request counters. */
export async function simStats(sim: SimInfo): Promise<SimStats> {
  const res = await request(`${sim.url}/_sim/stats`);
  if (res.statusCode !== 200) throw new Error(`GET /_sim/stats: HTTP ${res.statusCode}`);
  return (await res.body.json()) as SimStats;
}

/** Sets the simulator's request counters to zero. */
export async function resetSimStats(sim: SimInfo): Promise<void> {
  const res = await request(`${sim.url}/_sim/reset-stats`, { method: 'POST' });
  await res.body.dump();
  if (res.statusCode !== 200) throw new Error(`POST /_sim/reset-stats: HTTP ${res.statusCode}`);
}

/**
 * The Node flags the Docker image runs the exporter with (its ENTRYPOINT), so the bench
 * measures the exporter as it ships; flags this Node does not know (`--disable-sigusr1` on
 * Node 20) are left out.
 */
export const IMAGE_NODE_FLAGS: readonly string[] = (() => {
  const entry = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))?.[1];
  const argv = entry === undefined ? [] : (JSON.parse(entry) as string[]);
  const flags = argv.slice(1, argv.indexOf('dist/main.js'));
  return flags.filter((f) => process.allowedNodeEnvironmentFlags.has(f.split('=')[0]!));
})();

/** Options of {@link startExporter}. */
export interface ExporterOptions {
  /** The simulator to scrape (CSP and VMC URL, credentials, orgs). */
  readonly sim: SimInfo;
  /** `--cache.ttl` (a duration: `0`, `2s`, `1h`). */
  readonly cacheTtl: string;
  /** `--vmc.concurrency`. @default the exporter's (4) */
  readonly concurrency?: number;
  /** Extra node flags (e.g. `--cpu-prof`). */
  readonly nodeFlags?: readonly string[];
  /** Orgs for `--vmc.org`. @default every org of the simulator; `[]` gives no `--vmc.org` */
  readonly orgs?: readonly string[];
  /** Further exporter flags (e.g. `--no-vmc.discover`). */
  readonly flags?: readonly string[];
  /** Extra exporter flags (collector switches and TTLs). */
  readonly extraArgs?: readonly string[];
  /**
   * `oauth` (default): the OAuth app, every org named with `--vmc.org`. `api-token`: the
   * simulator's API token, orgs discovered (its home org).
   */
  readonly auth?: 'oauth' | 'api-token';
}

/** A running exporter child. */
export interface Exporter {
  /** Origin, e.g. `http://127.0.0.1:40123`. */
  readonly origin: string;
  /** The child process. */
  readonly child: Child;
  /** The command line (for the report). */
  readonly argv: readonly string[];
}

/**
 * Starts `dist/main.js` against the simulator and waits for `/-/ready`. Orgs are given
 * with `--vmc.org` (one token per org, as with an OAuth app in several orgs; by default
 * every org of the simulator, none for an exporter that only serves probes); credentials
 * go through `VMC_CLIENT_ID` / `VMC_CLIENT_SECRET`.
 */
export async function startExporter(opts: ExporterOptions): Promise<Exporter> {
  const port = await freePort();
  const apiToken = opts.auth === 'api-token';
  const argv = [
    `--web.listen-address=127.0.0.1:${port}`,
    `--csp.url=${opts.sim.url}`,
    `--vmc.url=${opts.sim.url}`,
    ...(apiToken ? [] : (opts.orgs ?? opts.sim.orgs).length > 0 ? [`--vmc.org=${(opts.orgs ?? opts.sim.orgs).join(',')}`] : []),
    `--cache.ttl=${opts.cacheTtl}`,
    ...(opts.concurrency === undefined ? [] : [`--vmc.concurrency=${opts.concurrency}`]),
    ...(opts.flags ?? []),
    ...(opts.extraArgs ?? []),
    '--log.level=warn',
  ];
  const nodeFlags = [...IMAGE_NODE_FLAGS, ...(opts.nodeFlags ?? [])];
  const child = spawnNode('exporter', [...nodeFlags, join(ROOT, 'dist/main.js'), ...argv], {
    VMC_CLIENT_ID: apiToken ? undefined : opts.sim.clientId,
    VMC_CLIENT_SECRET: apiToken ? undefined : opts.sim.clientSecret,
    VMC_API_TOKEN: apiToken ? opts.sim.apiToken : undefined,
    VMC_ORG_IDS: undefined,
    // loopback only: never through a proxy from the environment
    HTTP_PROXY: undefined,
    HTTPS_PROXY: undefined,
    http_proxy: undefined,
    https_proxy: undefined,
    NO_PROXY: '127.0.0.1,localhost',
  });
  const origin = `http://127.0.0.1:${port}`;
  await waitForOk(`${origin}/-/ready`, child, 30_000);
  const orgsShown = opts.orgs === undefined ? '<all orgs>' : opts.orgs.length === 1 ? opts.orgs[0] : `<${opts.orgs.length} orgs>`;
  return { origin, child, argv: ['node', ...nodeFlags, 'dist/main.js', ...argv.map((a) => (a.startsWith('--vmc.org=') ? `--vmc.org=${orgsShown}` : a))] };
}

/** One response read in full, raw (gzip not decoded). */
export interface Scrape {
  /** HTTP status. */
  readonly status: number;
  /** Response headers. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Raw body bytes. */
  readonly body: Buffer;
  /** Time from sending to the last byte, ms. */
  readonly ms: number;
}

/** One GET of `path` on `origin`, body kept. */
export async function scrape(origin: string, path = '/metrics', headers: Record<string, string> = {}): Promise<Scrape> {
  const started = performance.now();
  const res = await request(`${origin}${path}`, { headers, headersTimeout: 120_000, bodyTimeout: 120_000 });
  const body = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, body, ms: performance.now() - started };
}

/** How many `vmc_up` samples a body has, and how many of them are 1. */
export function upSummary(text: string): { up: number; total: number } {
  const up = parseExposition(text, { names: ['vmc_up'] }).all('vmc_up');
  return { up: up.filter((s) => s.value === 1).length, total: up.length };
}
