/**
 * The runtime file: where a running exporter records how `vmc-exporter healthcheck` can
 * reach it (the base URL of each listener, and the client certificate given with
 * `--healthcheck.*`). A Docker HEALTHCHECK or a Kubernetes exec probe runs in the same
 * container as the exporter but never sees its command line, so this file is how the
 * healthcheck learns the port, the scheme and the certificate without repeating them.
 *
 * It lives in a directory of its own, `vmc-exporter-<uid>` in the temp dir (`$TMPDIR`, else
 * `/tmp`), created with mode 0700; a directory that exists but is a symlink, belongs to
 * another user or is open to others is not used. The file holds no secret (paths and URLs
 * only) and is removed when the exporter stops.
 */
import { lstat, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** What the exporter records. */
export interface RuntimeRecord {
  /** Process id of the exporter. */
  readonly pid: number;
  /** Base URL of each listener, as the healthcheck should call it (loopback for `:port`). */
  readonly urls: readonly string[];
  /** `--healthcheck.cert-file` / `--healthcheck.key-file`, when given. */
  readonly clientCert?: { readonly certFile: string; readonly keyFile: string };
}

/** Path of the runtime file of this user's exporter: `vmc-exporter-<uid>/runtime.json` in the temp dir (`$TMPDIR`, else `/tmp`). */
export function runtimeFilePath(): string {
  return join(tmpdir(), `vmc-exporter-${process.getuid?.() ?? 'user'}`, 'runtime.json');
}

/** Creates the directory (0700) or checks that the existing one is ours and private; returns why not otherwise. */
async function privateDir(dir: string): Promise<string | undefined> {
  await mkdir(dir, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  const st = await lstat(dir);
  if (!st.isDirectory()) return `${dir} is not a directory`;
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) return `${dir} belongs to another user`;
  if ((st.mode & 0o077) !== 0) return `${dir} is open to other users`;
  return undefined;
}

/**
 * Writes the record (atomically: a temp file, then a rename), creating its private directory.
 *
 * @param path - e.g. {@link runtimeFilePath}
 * @param record - what to record
 * @returns the file's path, or why it was not written
 */
export async function writeRuntimeFile(path: string, record: RuntimeRecord): Promise<{ path: string } | { problem: string }> {
  const dir = dirname(path);
  try {
    const problem = await privateDir(dir);
    if (problem !== undefined) return { problem };
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(record)}\n`, { mode: 0o600 });
    await rename(tmp, path);
    return { path };
  } catch (err) {
    return { problem: `cannot write ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
}

/** Removes the runtime file if it is still this process's. */
export async function removeRuntimeFile(path: string, pid = process.pid): Promise<void> {
  const record = await readRuntimeFile(path).catch(() => undefined);
  if (record?.pid === pid) await rm(path, { force: true }).catch(() => undefined);
}

/**
 * Reads and checks a runtime file.
 *
 * @throws Error naming the file when it is missing or not a record
 */
export async function readRuntimeFile(path: string): Promise<RuntimeRecord> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `no running exporter recorded in ${path}` : `cannot read ${path}: ${code ?? String(err)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not a runtime record`);
  }
  const r = value as Partial<RuntimeRecord> | null;
  const ok =
    typeof r === 'object' &&
    r !== null &&
    typeof r.pid === 'number' &&
    Array.isArray(r.urls) &&
    r.urls.length > 0 &&
    r.urls.every((u) => typeof u === 'string') &&
    (r.clientCert === undefined || (typeof r.clientCert.certFile === 'string' && typeof r.clientCert.keyFile === 'string'));
  if (!ok) throw new Error(`${path} is not a runtime record`);
  return r as RuntimeRecord;
}
