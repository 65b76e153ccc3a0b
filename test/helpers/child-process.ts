/**
 * Helpers to run the BUILT exporter (`dist/main.js`) and simulator (`sim/dist/cli.js`) as
 * child processes with a clean environment (no inherited proxy or credential variables).
 * `npm test` builds first; run `npm run build` before running these files on their own.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Repository root. */
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

/** Output of a process run to completion. */
export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node <bin> ...args` to completion (killed after `timeoutMs`). */
export function runNode(bin: string, args: string[], env: Record<string, string>, timeoutMs = 15_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A free loopback TCP port (bound and released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
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

/** A long-running child process with its output captured. */
export interface Child {
  readonly proc: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** stdout parsed as JSON lines (non-JSON lines skipped). */
  lines(): Array<Record<string, unknown>>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit status. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True while the process runs. */
  alive(): boolean;
}

function startChild(bin: string, args: string[], env: Record<string, string>): Child {
  const proc = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
  let stdout = '';
  let stderr = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
  });
  proc.stdout?.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  return {
    proc,
    pid: proc.pid ?? -1,
    stdout: () => stdout,
    stderr: () => stderr,
    lines() {
      const out: Array<Record<string, unknown>> = [];
      for (const line of stdout.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          out.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // a partial last line
        }
      }
      return out;
    },
    async stop(graceMs = 5000) {
      if (exit) return exit;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      // Let the pipes drain.
      await new Promise((r) => setImmediate(r));
      return result;
    },
    alive: () => exit === undefined,
  };
}

/** Polls `find` until it returns something; fails when the child exits or after `timeoutMs`. */
export async function waitUntil<T>(child: Child, what: string, find: () => T | undefined, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (!child.alive()) throw new Error(`${what}: the process exited; stderr: ${child.stderr()}`);
    if (Date.now() > until) throw new Error(`${what}: nothing after ${timeoutMs} ms; stderr: ${child.stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A running built exporter. */
export interface ChildExporter extends Child {
  /** Base URL from its `listening` log line. */
  readonly url: string;
}

/** Spawns `dist/main.js` and resolves once it logged `listening`. */
export async function spawnExporter(args: string[], env: Record<string, string>, timeoutMs = 15_000): Promise<ChildExporter> {
  const child = startChild(EXPORTER_BIN, args, env);
  try {
    const line = await waitUntil(child, 'exporter start', () => child.lines().find((l) => l['msg'] === 'listening'), timeoutMs);
    return Object.assign(child, { url: String(line['address']) });
  } catch (err) {
    await child.stop(1000);
    throw err;
  }
}

/** What the simulator CLI announces. */
export interface SimAnnouncement {
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly apiToken: string;
  readonly orgs: string[];
}

/** Spawns `sim/dist/cli.js` and resolves with its one-line announcement. */
export async function spawnSimulator(args: string[], env: Record<string, string>): Promise<Child & { readonly sim: SimAnnouncement }> {
  const child = startChild(SIM_BIN, args, env);
  try {
    const sim = await waitUntil(child, 'simulator start', () => child.lines()[0] as SimAnnouncement | undefined, 15_000);
    return Object.assign(child, { sim });
  } catch (err) {
    await child.stop(1000);
    throw err;
  }
}

/** Resident set size of a process, in KiB (`VmRSS` of /proc/<pid>/status). */
export function rssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
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
