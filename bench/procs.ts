/**
 * The benchmark's children, on the shared process helper (`test/helpers/processes.ts`): each
 * child is registered so that every one is gone when the benchmark ends, fails or is
 * interrupted, and an exit nobody asked for is remembered for the report.
 */
import { join } from 'node:path';
import { ROOT, startNode, type Child } from '../test/helpers/processes.js';

/** Node flags that let a child run a `.ts` module of `bench/` directly. */
const TSX = ['--import', 'tsx'];

const live = new Set<Child>();
const stopping = new WeakSet<Child>();
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
  for (const child of live) {
    try {
      child.proc.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

/** Stops every live child gracefully (SIGTERM, SIGKILL after `graceMs`). */
export async function stopAll(graceMs = 3000): Promise<void> {
  await Promise.all([...live].map((child) => child.stop(graceMs)));
}

/**
 * Starts `node <args>` in the repository root (the tail of its output kept) and registers
 * it for cleanup; its `stop` marks the exit as asked for.
 *
 * @param name - label for messages
 * @param args - node arguments (flags, script, script arguments)
 * @param env - environment variables to set (a string) or remove (undefined), over the benchmark's own
 * @param capture - `full` for a child whose whole stdout is its result
 */
export function spawnNode(name: string, args: readonly string[], env: Record<string, string | undefined> = {}, capture: 'full' | 'tail' = 'tail'): Child {
  installCleanup();
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  const child = startNode(name, args, childEnv, { capture });
  if (child.pid === -1) throw new Error(`cannot spawn ${name}: ${child.output()}`);
  live.add(child);
  void child.exited.then(({ code, signal }) => {
    live.delete(child);
    if (!stopping.has(child) && code !== 0) unexpected.push(`${name} (pid ${child.pid}) exited with ${code ?? signal}: ${child.stderr().trim().slice(-2000)}`);
  });
  const stop = child.stop;
  return Object.assign(child, {
    stop: (graceMs = 3000) => {
      stopping.add(child);
      return stop(graceMs);
    },
  });
}

/** Starts a `.ts` module of `bench/` (through tsx) as a child; `capture: 'full'` keeps its whole stdout. */
export function spawnBenchModule(name: string, module: string, args: readonly string[], capture: 'full' | 'tail' = 'tail'): Child {
  return spawnNode(name, [...TSX, join(ROOT, 'bench', module), ...args], {}, capture);
}

/**
 * Runs a `.ts` module of `bench/` to its end and resolves with the last line of its stdout
 * parsed as JSON (its result); rejects with its stderr unless it exits 0.
 */
export async function runBenchModule<T>(name: string, module: string, args: readonly string[]): Promise<T> {
  const child = spawnBenchModule(name, module, args, 'full');
  const { code, signal } = await child.exited;
  if (code !== 0) throw new Error(`${name} exited (${code ?? signal}): ${child.stderr().trim()}`);
  return JSON.parse(child.stdout().trim().split('\n').pop() ?? '') as T;
}
