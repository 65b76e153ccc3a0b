/**
 * Child processes for the tests and the benchmark: one {@link Child} abstraction for any
 * command (the built exporter and simulator, Prometheus, Alertmanager, Chromium, the bench's
 * load generators), with its output captured, a stop with a grace period, its first line,
 * polling with a deadline, and readings of its memory, CPU time and descriptors from `/proc`.
 *
 * The built exporter (`dist/main.js`) and simulator (`sim/dist/cli.js`) run with a clean
 * environment (no inherited proxy or credential variables). `npm test` builds first; run
 * `npm run build` before running such a test file on its own.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Repository root, with a trailing slash. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The built exporter. */
export const EXPORTER_BIN = `${ROOT}dist/main.js`;
/** The built simulator CLI. */
export const SIM_BIN = `${ROOT}sim/dist/cli.js`;

/** Fails with a clear message when the build output is missing. */
export function requireBuild(): void {
  for (const f of [EXPORTER_BIN, SIM_BIN]) assert.ok(existsSync(f), `${f} is missing: run \`npm run build\` first`);
}

/** A minimal environment: PATH only, plus `extra`. Nothing inherited (no *_PROXY, no VMC_*). */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

/**
 * The caller's environment without proxy settings and without VMC_* / SIM_* variables (which
 * would change what the exporter or simulator does), loopback exempt from any proxy, plus
 * `extra`. For tools that need more of the environment than {@link cleanEnv} gives.
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(VMC_|SIM_)/.test(k) || /^(https?|all|no)_proxy$/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost', ...extra };
}

/** How a process ended. */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A started child process with its output captured. */
export interface Child {
  /** What it is, for messages (`simulator`, `exporter`, `prometheus`, …). */
  readonly name: string;
  readonly proc: ChildProcess;
  /** Its pid (-1 when it could not be started). */
  readonly pid: number;
  /** Resolves once it has exited and its output is read to the end. */
  readonly exited: Promise<ExitStatus>;
  /** Its first stdout line, however much follows; undefined when it exits without one. */
  readonly firstLine: Promise<string | undefined>;
  /** True until it exits. */
  alive(): boolean;
  /** Its stdout so far (the last {@link StartOptions.tailBytes} characters with `capture: 'tail'`). */
  stdout(): string;
  /** Its stderr so far (likewise). */
  stderr(): string;
  /** The last few KB of stdout and stderr as they came, for failure messages. */
  output(): string;
  /** The stdout lines that are JSON objects (others, and a partial last line, skipped). */
  lines(): Array<Record<string, unknown>>;
  /** SIGTERM, then SIGKILL after `graceMs` (default 5 s); resolves with the exit status. */
  stop(graceMs?: number): Promise<ExitStatus>;
}

/** Options of {@link startProcess}. */
export interface StartOptions {
  /** Working directory. @default the repository root */
  readonly cwd?: string;
  /** `full` keeps all of stdout and stderr; `tail` only their last `tailBytes` characters. @default 'tail' */
  readonly capture?: 'full' | 'tail';
  /** @default 8000 */
  readonly tailBytes?: number;
}

/** How long `exited` waits for the pipes to close after the process exited (a grandchild may hold them). */
const DRAIN_MS = 2000;

/**
 * Starts `cmd args` with stdin closed and stdout and stderr captured. Long-running servers
 * keep only the tail of their output by default; pass `capture: 'full'` where a test reads
 * all of it (logs searched for secrets, JSON log lines).
 */
export function startProcess(name: string, cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, opts: StartOptions = {}): Child {
  const proc = spawn(cmd, args, { env, cwd: opts.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const tailBytes = opts.tailBytes ?? 8000;
  const keep = opts.capture === 'full' ? (text: string) => text : (text: string) => text.slice(-tailBytes);
  let stdout = '';
  let stderr = '';
  let output = '';
  let exit: ExitStatus | undefined;
  const firstLine = lineCatcher();
  const record = (text: string) => {
    output = (output + text).slice(-8000);
  };
  proc.stdout?.on('data', (d: Buffer) => {
    const text = d.toString('utf8');
    stdout = keep(stdout + text);
    record(text);
    firstLine.feed(text);
  });
  proc.stderr?.on('data', (d: Buffer) => {
    const text = d.toString('utf8');
    stderr = keep(stderr + text);
    record(text);
  });
  const exited = new Promise<ExitStatus>((resolve) => {
    let drain: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(drain);
      firstLine.end();
      resolve(exit!);
    };
    proc.once('exit', (code, signal) => {
      exit = { code, signal };
      drain = setTimeout(done, DRAIN_MS).unref();
    });
    proc.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      exit ??= { code, signal };
      done();
    });
    proc.once('error', (err) => {
      record(`\n[spawn error] ${err.message}\n`);
      if (proc.pid === undefined) {
        exit = { code: null, signal: null };
        done();
      }
    });
  });
  const child: Child = {
    name,
    proc,
    pid: proc.pid ?? -1,
    exited,
    firstLine: firstLine.line,
    alive: () => exit === undefined && proc.pid !== undefined,
    stdout: () => stdout,
    stderr: () => stderr,
    output: () => output,
    lines: () => jsonLines(stdout),
    async stop(graceMs = 5000) {
      if (child.alive()) proc.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (child.alive()) proc.kill('SIGKILL');
      }, graceMs);
      const status = await exited;
      clearTimeout(timer);
      return status;
    },
  };
  return child;
}

/** Starts `node ...args` (see {@link startProcess}). */
export function startNode(name: string, args: readonly string[], env: NodeJS.ProcessEnv, opts: StartOptions = {}): Child {
  return startProcess(name, process.execPath, args, env, opts);
}

/** Stops a child: SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopProcess(child: Child, graceMs = 5000): Promise<ExitStatus> {
  return child.stop(graceMs);
}

/** The JSON-object lines of a text (others skipped). */
function jsonLines(text: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a partial last line
    }
  }
  return out;
}

/** The first line of a stream, kept however much follows it. */
interface LineCatcher {
  readonly line: Promise<string | undefined>;
  feed(text: string): void;
  end(): void;
}

function lineCatcher(): LineCatcher {
  let buf = '';
  let settled = false;
  let resolve!: (line: string | undefined) => void;
  const line = new Promise<string | undefined>((r) => (resolve = r));
  return {
    line,
    feed(text) {
      if (settled) return;
      buf += text;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      settled = true;
      resolve(buf.slice(0, nl));
      buf = '';
    },
    end() {
      if (settled) return;
      settled = true;
      resolve(undefined);
    },
  };
}

/** Resolves with the first line the child writes to stdout; rejects if it exits first or after `timeoutMs`. */
export async function firstStdoutLine(child: Child, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
  const line = await Promise.race([child.firstLine, timeout]);
  clearTimeout(timer);
  if (line === 'timeout') throw new Error(`${child.name}: no output line within ${timeoutMs} ms\n${child.output()}`);
  if (line === undefined) throw new Error(`${child.name} exited before printing a line\n${child.output()}`);
  return line;
}

/** The child's first stdout line parsed as JSON (see {@link firstStdoutLine}). */
export async function firstJsonLine<T>(child: Child, timeoutMs: number): Promise<T> {
  const line = await firstStdoutLine(child, timeoutMs);
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`${child.name}: first line is not JSON: ${line.slice(0, 200)}`);
  }
}

/** Output of a process run to completion. */
export interface RunResult extends ExitStatus {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `cmd args` to completion, all output kept; killed with SIGKILL after `timeoutMs` (default 15 s). */
export async function runProcess(cmd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  const child = startProcess(cmd, cmd, args, opts.env ?? process.env, { capture: 'full', ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }) });
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), opts.timeoutMs ?? 15_000);
  const status = await child.exited;
  clearTimeout(timer);
  return { ...status, stdout: child.stdout(), stderr: child.stderr() };
}

/** Runs `node <bin> ...args` to completion (see {@link runProcess}). */
export function runNode(bin: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 15_000): Promise<RunResult> {
  return runProcess(process.execPath, [bin, ...args], { env, timeoutMs });
}

/** Options of {@link waitFor}. */
export interface WaitOptions {
  readonly timeoutMs: number;
  /** Pause between tries. @default 250 (polling another process over HTTP); watching output or in-process state wants less */
  readonly intervalMs?: number;
  /** Fail at once when this child exits, with its output in the message. */
  readonly child?: Child;
  /** More text for the failure message (e.g. the logs of the processes involved). */
  readonly context?: () => string;
}

/**
 * Calls `probe` until it returns something other than `undefined` or `false`, and resolves
 * with that; a probe that throws counts as not yet. Fails after `timeoutMs`, or when
 * `opts.child` exits, naming `what` and the last error.
 */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, opts: WaitOptions): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    const context = () => `${opts.child ? `\n${opts.child.output()}` : ''}${opts.context ? `\n${opts.context()}` : ''}`;
    if (opts.child && !opts.child.alive()) throw new Error(`waiting for ${what}: ${opts.child.name} exited${context()}`);
    if (Date.now() >= deadline) {
      const reason = last instanceof Error ? last.message : last === undefined ? 'condition not met' : String(last);
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${what}: ${reason}${context()}`);
    }
    await sleep(opts.intervalMs ?? 250);
  }
}

/** Watches a child's captured output: {@link waitFor} every 20 ms, failing when the child exits. */
export function waitUntil<T>(child: Child, what: string, find: () => T | undefined | false, timeoutMs: number): Promise<T> {
  return waitFor(what, find, { timeoutMs, intervalMs: 20, child });
}

/** Polls `url` until it answers 200; fails when `child` exits or after `timeoutMs`. */
export async function waitForOk(url: string, child: Child, timeoutMs: number): Promise<void> {
  await waitFor(
    `${url} to answer 200`,
    async () => {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      return res.status === 200;
    },
    { timeoutMs, intervalMs: 50, child },
  );
}

/** GET/PUT/POST with a short timeout; resolves with status and body text. */
export async function http(url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
  return { status: res.status, text: await res.text() };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A free loopback TCP port (bound and released at once; a tiny race is accepted). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** True when something accepts TCP connections on 127.0.0.1:`port`. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A running built exporter. */
export interface ChildExporter extends Child {
  /** Base URL from its `listening` log line. */
  readonly url: string;
}

/** Starts `dist/main.js` (all output kept) and resolves once it logged `listening`. */
export async function spawnExporter(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 15_000): Promise<ChildExporter> {
  const child = startNode('exporter', [EXPORTER_BIN, ...args], env, { capture: 'full' });
  try {
    const line = await waitUntil(child, 'the exporter to log listening', () => child.lines().find((l) => l['msg'] === 'listening'), timeoutMs);
    return Object.assign(child, { url: String(line['address']) });
  } catch (err) {
    await child.stop(1000);
    throw err;
  }
}

/** What the simulator CLI announces on its first stdout line. */
export interface SimAnnouncement {
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly apiToken: string;
  readonly orgs: string[];
}

/** A running built simulator. */
export interface ChildSimulator extends Child {
  readonly sim: SimAnnouncement;
}

/** Starts `sim/dist/cli.js` (all output kept) and resolves with its announcement. */
export async function spawnSimulator(args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 15_000): Promise<ChildSimulator> {
  const child = startNode('simulator', [SIM_BIN, ...args], env, { capture: 'full' });
  try {
    return Object.assign(child, { sim: await firstJsonLine<SimAnnouncement>(child, timeoutMs) });
  } catch (err) {
    await child.stop(1000);
    throw err;
  }
}

/** A number field of `/proc/<pid>/status` given in kB (`VmRSS`, `VmHWM`), in bytes. */
function statusBytes(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m?.[1]) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

/** Resident set size of a process, in bytes (`VmRSS` of /proc/<pid>/status). */
export function readRssBytes(pid: number): number {
  return statusBytes(pid, 'VmRSS');
}

/** Peak resident set size of a process, in bytes (`VmHWM` of /proc/<pid>/status). */
export function readPeakRssBytes(pid: number): number {
  return statusBytes(pid, 'VmHWM');
}

let clockTicks: number | undefined;

/** `sysconf(_SC_CLK_TCK)`, the unit of utime/stime in `/proc/<pid>/stat`. */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** User plus system CPU time of a process in seconds (`/proc/<pid>/stat` fields 14 and 15). */
export function readCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // the command name (field 2) may hold spaces and parentheses: split after the last ')'
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so utime (14) is fields[11] and stime (15) fields[12]
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`cannot read CPU times of ${pid}`);
  return (utime + stime) / clockTicksPerSecond();
}

/** Open file descriptors of a process (entries of /proc/<pid>/fd). */
export function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Open sockets of a process (fds linking to `socket:[…]`). */
export function socketCount(pid: number): number {
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

/** The command line of a process as its argv (`/proc/<pid>/cmdline`). */
export function cmdline(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((s) => s !== '');
}
