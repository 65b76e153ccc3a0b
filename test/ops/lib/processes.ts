/**
 * Child processes and small HTTP helpers for the integration tests: start any process (not
 * only node, unlike test/helpers/child-process.ts) and keep the tail of its output for failure
 * messages, stop it and wait for it, poll with a deadline.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * An environment for child processes: the caller's, without proxy settings and without
 * VMC_* / SIM_* variables (which would change what the exporter or simulator does), plus `extra`.
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(VMC_|SIM_)/.test(k) || /^(https?|all|no)_proxy$/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost', ...extra };
}

/** A started child process. */
export interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves when the process has exited. */
  readonly exited: Promise<void>;
  /** The last few KB of its stdout and stderr, for messages. */
  output(): string;
}

const TAIL = 8_000;

/** Starts `cmd args` with stdin closed; stdout and stderr are captured (tail only). */
export function startProcess(name: string, cmd: string, args: readonly string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString('utf8')).slice(-TAIL);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('close', () => resolve());
  });
  child.once('error', (err) => keep(Buffer.from(`\n[spawn error] ${err.message}\n`)));
  return { name, child, exited, output: () => out };
}

/** Stops a process: SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopProcess(p: Proc, graceMs = 5_000): Promise<void> {
  const running = () => p.child.exitCode === null && p.child.signalCode === null && p.child.pid !== undefined;
  if (running()) p.child.kill('SIGTERM');
  const timer = delay(graceMs).then(() => 'timeout' as const);
  if ((await Promise.race([p.exited.then(() => 'exited' as const), timer])) === 'timeout' && running()) {
    p.child.kill('SIGKILL');
    await p.exited;
  }
}

/** Resolves with the first line the process writes to stdout (rejects if it exits first). */
export async function firstStdoutLine(p: Proc, timeoutMs: number): Promise<string> {
  const stdout = p.child.stdout;
  if (!stdout) throw new Error(`${p.name}: no stdout`);
  let buf = '';
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`${p.name}: no output line within ${timeoutMs} ms\n${p.output()}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl >= 0) finish(undefined, buf.slice(0, nl));
    };
    const onClose = () => finish(new Error(`${p.name} exited before printing a line\n${p.output()}`));
    function finish(err?: Error, line?: string) {
      clearTimeout(timer);
      stdout!.off('data', onData);
      p.child.off('close', onClose);
      if (err) reject(err);
      else resolve(line!);
    }
    stdout.on('data', onData);
    p.child.once('close', onClose);
  });
}

/**
 * Calls `probe` until it returns a value other than undefined, at most until `timeoutMs`
 * has passed, pausing `intervalMs` between tries. Throws with `what` and the last error.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  opts: { timeoutMs: number; intervalMs?: number; context?: () => string },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const reason = last instanceof Error ? last.message : last === undefined ? 'condition not met' : String(last);
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${what}: ${reason}${opts.context ? `\n${opts.context()}` : ''}`);
    }
    await delay(opts.intervalMs ?? 250);
  }
}

/** GET/PUT/POST with a short timeout; resolves with status and body text. */
export async function http(
  url: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
  return { status: res.status, text: await res.text() };
}
