/**
 * Child processes of the benchmark: spawning the simulator, the exporter, the baseline
 * server and the load generator; reading their memory and CPU time from `/proc`; and
 * making sure every child is gone when the benchmark ends, fails or is interrupted.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Root of the repository (the parent of `bench/`). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Node flags that let a child run a `.ts` module of `bench/` directly. */
const TSX = ['--import', 'tsx'];

const live = new Set<ChildProcess>();
const unexpected: string[] = [];
let cleanupInstalled = false;

const exitHooks: Array<() => void> = [];

/** Registers a synchronous clean-up (e.g. removing a temp dir) run on exit and on SIGINT/SIGTERM. */
export function atExit(hook: () => void): void {
  exitHooks.push(hook);
}

function runExitHooks(): void {
  for (const hook of exitHooks.splice(0)) {
    try {
      hook();
    } catch {
      // best effort
    }
  }
}

/** Children that exited without being asked to (name, pid, exit code, stderr tail). */
export function unexpectedExits(): readonly string[] {
  return unexpected;
}

/** A spawned child with the tail of its stderr kept for error messages. */
export interface Child {
  /** What it is, for messages (`simulator`, `exporter`, …). */
  readonly name: string;
  /** The process. */
  readonly proc: ChildProcess;
  /** Its pid. */
  readonly pid: number;
  /** Resolves with the exit code (or signal name) once it has exited. */
  readonly exited: Promise<number | string>;
  /** The last few KB of its stderr. */
  stderrTail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Installs handlers that kill every live child on exit, on an uncaught error and on
 * SIGINT/SIGTERM (then exits with 130/143). Idempotent.
 */
export function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', () => {
    killAllNow();
    runExitHooks();
  });
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping children\n`);
      killAllNow();
      runExitHooks();
      process.exit(code);
    });
  }
}

/** Sends SIGKILL to every live child, synchronously (usable in an `exit` handler). */
export function killAllNow(): void {
  for (const proc of live) {
    try {
      proc.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

/** Stops every live child gracefully (SIGTERM, SIGKILL after `graceMs`). */
export async function stopAll(graceMs = 3000): Promise<void> {
  await Promise.all([...live].map((proc) => stopProc(proc, graceMs)));
}

function stopProc(proc: ChildProcess, graceMs: number): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

/**
 * Spawns `node <args>` in the repository root with piped stdio and registers it for
 * cleanup.
 *
 * @param name - label for messages
 * @param args - node arguments (flags, script, script arguments)
 * @param env - environment variables to set (a string) or remove (undefined)
 */
export function spawnNode(name: string, args: readonly string[], env: Record<string, string | undefined> = {}): Child {
  installCleanup();
  const childEnv: Record<string, string | undefined> = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  const proc = spawn(process.execPath, [...args], {
    cwd: REPO_ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (proc.pid === undefined) throw new Error(`cannot spawn ${name}`);
  live.add(proc);
  let tail = '';
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-4096);
  });
  let stopping = false;
  const exited = new Promise<number | string>((resolve) => {
    proc.once('exit', (code, signal) => {
      live.delete(proc);
      if (!stopping && code !== 0) unexpected.push(`${name} (pid ${proc.pid}) exited with ${code ?? signal}: ${tail.trim().slice(-2000)}`);
      resolve(code ?? signal ?? 'unknown');
    });
  });
  return {
    name,
    proc,
    pid: proc.pid,
    exited,
    stderrTail: () => tail.trim(),
    stop: (graceMs = 3000) => {
      stopping = true;
      return stopProc(proc, graceMs);
    },
  };
}

/** Spawns a `.ts` module of `bench/` (through tsx) as a child. */
export function spawnBenchModule(name: string, module: string, args: readonly string[]): Child {
  return spawnNode(name, [...TSX, join(REPO_ROOT, 'bench', module), ...args]);
}

/**
 * Resolves with the first stdout line of `child` parsed as JSON; rejects when the child
 * exits first or nothing arrives within `timeoutMs`.
 */
export function firstJsonLine<T>(child: Child, timeoutMs: number): Promise<T> {
  const stdout = child.proc.stdout;
  if (!stdout) return Promise.reject(new Error(`${child.name}: no stdout`));
  return new Promise<T>((resolve, reject) => {
    const lines = createInterface({ input: stdout });
    const timer = setTimeout(() => fail(new Error(`${child.name}: no output within ${timeoutMs} ms`)), timeoutMs);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      lines.close();
      reject(err);
    };
    lines.once('line', (line) => {
      clearTimeout(timer);
      lines.close();
      // keep draining so a chatty child never blocks on a full pipe
      stdout.resume();
      try {
        resolve(JSON.parse(line) as T);
      } catch {
        reject(new Error(`${child.name}: first line is not JSON: ${line.slice(0, 200)}`));
      }
    });
    void child.exited.then((code) => fail(new Error(`${child.name} exited (${code}) before printing: ${child.stderrTail()}`)));
  });
}

/** Resolves with all of stdout once the child exits with code 0, else rejects with its stderr. */
export async function collectStdout(child: Child): Promise<string> {
  let out = '';
  child.proc.stdout?.setEncoding('utf8');
  child.proc.stdout?.on('data', (chunk: string) => {
    out += chunk;
  });
  const code = await child.exited;
  if (code !== 0) throw new Error(`${child.name} exited (${code}): ${child.stderrTail()}`);
  return out;
}

/** A free TCP port on 127.0.0.1 (bound and released; a tiny race is accepted). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 200; rejects when `child` exits or after `timeoutMs`. */
export async function waitForOk(url: string, child: Child, timeoutMs: number): Promise<void> {
  let exited: number | string | undefined;
  void child.exited.then((code) => {
    exited = code;
  });
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== undefined) throw new Error(`${child.name} exited (${exited}): ${child.stderrTail()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${child.name}: ${url} not ready within ${timeoutMs} ms: ${child.stderrTail()}`);
    await sleep(50);
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resident set size of a process in bytes (`VmRSS` of `/proc/<pid>/status`). */
export function readRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m?.[1]) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

/** Peak resident set size of a process in bytes (`VmHWM` of `/proc/<pid>/status`). */
export function readPeakRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  if (!m?.[1]) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
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
