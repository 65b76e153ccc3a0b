/**
 * In-process test rig for resilience tests: a simulator (CSP + VMC) and an exporter pointed
 * at it over loopback, with captured logs, a `scrape()` helper that parses the exposition
 * and a teardown that closes both.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COLLECTORS } from '../../src/collect/collectors/index.js';
import { parseCommandLine } from '../../src/config/parse-config.js';
import { startExporter, type Exporter } from '../../src/run.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../sim/src/server.js';
import { parseExposition, type Exposition } from './exposition.js';
import { captureLogger } from './log-sink.js';
import { waitFor } from './processes.js';

/** The result of one scrape: its body parsed (nothing parsed unless the status is 200). */
export interface ScrapeResult extends Exposition {
  /** HTTP status. */
  readonly status: number;
  /** Wall time from sending the request to having the whole body, ms. */
  readonly elapsedMs: number;
  /** Raw body. */
  readonly body: string;
}

/** How to authenticate the exporter to the simulator. */
export type HarnessAuth =
  /** OAuth app with VMC_CLIENT_ID / VMC_CLIENT_SECRET. */
  | 'oauth-env'
  /** OAuth app with VMC_CLIENT_ID and --auth.client-secret-file (see {@link Harness.secretFile}). */
  | 'oauth-file'
  /** User API token in VMC_API_TOKEN. */
  | 'api-token-env'
  /** User API token in --auth.api-token-file (see {@link Harness.secretFile}). */
  | 'api-token-file';

/** Options of {@link startHarness}. */
export interface HarnessOptions {
  /** Simulator options. */
  readonly sim?: SimulatorOptions;
  /** Orgs to configure (`--vmc.org`); default: the first two orgs of the estate. `[]` = discover. */
  readonly orgs?: readonly string[];
  /** Extra exporter flags, appended after the defaults (later ones do not override: avoid repeats). */
  readonly flags?: readonly string[];
  /** @default 'oauth-env' */
  readonly auth?: HarnessAuth;
  /** Initial content of the secret file (`*-file` auth); default: the simulator's secret or API token. */
  readonly secretFileContent?: string;
  /** Value of VMC_CLIENT_SECRET / VMC_API_TOKEN for `*-env` auth; default: the simulator's. */
  readonly secretEnvValue?: string;
  /** The exporter's clock. @default a fresh {@link SkewClock} (see {@link Harness.clock}) */
  readonly clock?: SkewClock;
  /** @default 'debug' */
  readonly logLevel?: 'debug' | 'info' | 'warn';
}

/** A running simulator + exporter pair. */
export interface Harness {
  readonly sim: Simulator;
  readonly exporter: Exporter;
  /** The orgs configured. */
  readonly orgs: readonly string[];
  /** Parsed log lines (live). */
  readonly logs: Array<Record<string, unknown>>;
  /** Raw log text so far. */
  rawLogs(): string;
  /** The exporter's clock: real time plus a skew tests may advance. */
  readonly clock: SkewClock;
  /** The secret file of `*-file` auth (else undefined). */
  readonly secretFile: string | undefined;
  /** GETs the telemetry path, optionally with `X-Prometheus-Scrape-Timeout-Seconds`. */
  scrape(timeoutHeaderSeconds?: number): Promise<ScrapeResult>;
  /** Log lines at warn or above. */
  problems(): Array<Record<string, unknown>>;
  /** Resolves once `predicate` holds for some log line (polling), or rejects after `timeoutMs`. */
  waitForLog(predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Closes exporter and simulator and removes temp files. */
  close(): Promise<void>;
}

/** Wraps a body into a {@link ScrapeResult}. */
export function scrapeResult(status: number, elapsedMs: number, body: string): ScrapeResult {
  return { ...parseExposition(status === 200 ? body : ''), status, elapsedMs, body };
}

/** GETs `url` with an optional scrape-timeout header; never throws for HTTP errors. */
export async function scrapeUrl(url: string, timeoutHeaderSeconds?: number): Promise<ScrapeResult> {
  const headers: Record<string, string> = {};
  if (timeoutHeaderSeconds !== undefined) headers['X-Prometheus-Scrape-Timeout-Seconds'] = String(timeoutHeaderSeconds);
  const started = performance.now();
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(60_000) });
  const body = await res.text();
  return scrapeResult(res.status, performance.now() - started, body);
}

/**
 * Real time plus an adjustable skew: lets tests jump over backoffs, Retry-After waits and
 * max-stale windows without sleeping, while timers and the simulator keep real time.
 */
export class SkewClock {
  #skewMs = 0;

  /** Milliseconds since the epoch, skewed. */
  now(): number {
    return Date.now() + this.#skewMs;
  }

  /** Moves this clock `ms` into the future (only while nothing is in flight, to keep deadlines sane). */
  advance(ms: number): void {
    this.#skewMs += ms;
  }
}

/** `bytes` random bytes as hex: a credential without English words in it. */
export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** True when a text contains something that looks like a JS stack frame. */
export function hasStackTrace(text: string): boolean {
  return /\bat (?:async )?(?:[\w$.<>[\] ]+ \()?(?:file:\/\/|node:|\/)[^\s)]*:\d+:\d+/.test(text) || /\\n\s+at /.test(text);
}

/**
 * Starts a simulator and an exporter scraping it: `--cache.ttl=0` (every scrape fetches),
 * loopback only, process metrics off, logs captured at debug.
 */
export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  // Hex credentials: the exporter masks every 6-character run of a secret in its logs, so
  // the simulator's default `simsecret-…` would mask the word "secret" in messages.
  const sim = await startSimulator({ clientSecret: randomHex(24), apiToken: randomHex(32), ...opts.sim });
  const orgs = opts.orgs ?? sim.orgIds.slice(0, 2);
  const auth = opts.auth ?? 'oauth-env';
  let dir: string | undefined;
  let secretFile: string | undefined;
  const env: Record<string, string> = {};
  const authFlags: string[] = [];
  const oauth = auth.startsWith('oauth');
  const realSecret = oauth ? sim.credentials.clientSecret : sim.credentials.apiToken;
  if (oauth) env['VMC_CLIENT_ID'] = sim.credentials.clientId;
  if (auth.endsWith('-file')) {
    dir = await mkdtemp(join(tmpdir(), 'vmc-resilience-'));
    secretFile = join(dir, oauth ? 'client-secret' : 'api-token');
    await writeFile(secretFile, `${opts.secretFileContent ?? realSecret}\n`, { mode: 0o600 });
    authFlags.push(`${oauth ? '--auth.client-secret-file' : '--auth.api-token-file'}=${secretFile}`);
  } else {
    env[oauth ? 'VMC_CLIENT_SECRET' : 'VMC_API_TOKEN'] = opts.secretEnvValue ?? realSecret;
  }
  const argv = [
    '--web.listen-address=127.0.0.1:0',
    `--csp.url=${sim.url}`,
    `--vmc.url=${sim.url}`,
    ...orgs.map((o) => `--vmc.org=${o}`),
    ...authFlags,
    ...(opts.flags ?? []),
  ];
  if (!argv.some((a) => a.startsWith('--cache.ttl'))) argv.push('--cache.ttl=0');
  let parsed;
  try {
    parsed = await parseCommandLine(argv, env, { version: '0.0.0-test', collectors: COLLECTORS });
  } catch (err) {
    await sim.close();
    throw err;
  }
  if (parsed.action !== 'run') throw new Error('unexpected print action');
  const { logger, lines, secrets, raw } = captureLogger(opts.logLevel ?? 'debug');
  const clock = opts.clock ?? new SkewClock();
  let exporter: Exporter;
  try {
    exporter = await startExporter(parsed.config, { logger, secrets, version: '0.0.0-test', processMetrics: false, clock });
  } catch (err) {
    await sim.close();
    throw err;
  }
  const url = `${exporter.url}/metrics`;
  let closed = false;
  const harness: Harness = {
    sim,
    exporter,
    orgs,
    clock,
    logs: lines,
    rawLogs: raw,
    secretFile,
    scrape: (t) => scrapeUrl(url, t),
    problems: () => lines.filter((l) => l['level'] === 'warn' || l['level'] === 'error' || l['level'] === 'fatal'),
    waitForLog: (predicate, timeoutMs = 10_000) => waitFor('a log line', () => lines.find(predicate), { timeoutMs, intervalMs: 20 }),
    async close() {
      if (closed) return;
      closed = true;
      // The simulator first: it destroys hung and trickling connections so the exporter's
      // dispatcher can close at once.
      await sim.close();
      await exporter.close(1_000);
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
}
