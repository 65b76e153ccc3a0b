import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer } from 'node:net';
import { once } from 'node:events';

/** Repository root (tests run the built `dist/`). */
export const ROOT = new URL('../../', import.meta.url).pathname;

/** A child process with its output collected. */
export interface Child {
  readonly proc: ChildProcessWithoutNullStreams;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Sends SIGTERM (then SIGKILL after 5 s) and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Spawns `node <args>` in the repository root. */
export function spawnNode(args: string[], env: Record<string, string | undefined> = {}): Child {
  const proc = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env['PATH'], ...env } as NodeJS.ProcessEnv });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = once(proc, 'exit').then(([code]) => code as number | null);
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Resolves once `predicate(stdout)` holds, or rejects after `ms`. */
export async function waitForOutput(child: Child, predicate: (out: string) => boolean, ms = 10_000): Promise<string> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (predicate(child.stdout())) return child.stdout();
    if (child.proc.exitCode !== null) throw new Error(`process exited (${child.proc.exitCode}): ${child.stderr()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for output; stderr: ${child.stderr()}`);
}

/** Polls `url` until it answers 200. */
export async function waitForHttp(url: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not become ready within ${ms} ms`);
}

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as { port: number };
  srv.close();
  await once(srv, 'close');
  return port;
}

/** The simulator CLI's startup line. */
export interface SimInfo {
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly apiToken: string;
  readonly orgs: string[];
}

/** Starts `dist/sim/cli.js` with `args` and returns it with its startup line. */
export async function startSimCli(args: string[] = []): Promise<{ child: Child; info: SimInfo }> {
  const child = spawnNode(['dist/sim/cli.js', '--listen', '127.0.0.1:0', ...args]);
  const out = await waitForOutput(child, (o) => o.includes('\n'));
  return { child, info: JSON.parse(out.split('\n')[0]!) as SimInfo };
}

/** Parses an exposition into `name{labels}` → value (comments dropped). */
export function parseSamples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}
