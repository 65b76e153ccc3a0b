/**
 * Shared helpers for the operator-kit tests (test/ops): where the repository is, finding the
 * Prometheus tools on PATH, and running them.
 *
 * A tool that is missing fails the test when CI=true (CI installs the Debian packages
 * `prometheus` and `prometheus-alertmanager`), and skips it with the reason elsewhere.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

/** Absolute path of the repository root (no trailing slash). */
export const ROOT = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');

/** Absolute path of a file in the repository. */
export const repoPath = (...parts: string[]): string => join(ROOT, ...parts);

/** Reads a repository file as UTF-8. */
export const readRepoFile = (...parts: string[]): string => readFileSync(repoPath(...parts), 'utf8');

/** Reads and parses a repository YAML file. */
export const readRepoYaml = <T = unknown>(...parts: string[]): T => parseYaml(readRepoFile(...parts)) as T;

/** The Debian package that ships each tool, for messages. */
const PACKAGE_OF: Record<string, string> = {
  promtool: 'prometheus',
  prometheus: 'prometheus',
  amtool: 'prometheus-alertmanager',
  'prometheus-alertmanager': 'prometheus-alertmanager',
  chromium: 'chromium',
};

/** Full path of an executable on PATH, or undefined. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Returns the paths of the named tools. When one is missing: in CI the test fails; otherwise
 * the test is marked skipped with the reason and undefined is returned (the caller returns).
 */
export function requireTools(t: TestContext, ...names: string[]): Record<string, string> | undefined {
  const found: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of names) {
    const path = findOnPath(name);
    if (path) found[name] = path;
    else missing.push(name);
  }
  if (missing.length === 0) return found;
  const packages = [...new Set(missing.map((m) => PACKAGE_OF[m] ?? m))].join(' ');
  const reason = `${missing.join(', ')} not on PATH (apt-get install ${packages})`;
  if (process.env.CI === 'true') assert.fail(`${reason}: required when CI=true`);
  t.skip(reason);
  return undefined;
}

/** Result of a finished command. */
export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion in the repository root (or `cwd`), with a time limit. */
export function run(cmd: string, args: readonly string[], opts: { cwd?: string; timeoutMs?: number } = {}): RunResult {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd ?? ROOT,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 60_000,
    env: process.env,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Asserts that a command exited 0, showing its output otherwise. */
export function assertRunOk(r: RunResult, what: string): void {
  assert.equal(r.status, 0, `${what} exited ${r.status}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
}

/** What a suite needs and is missing here (and how to get it), or undefined. */
export function missingPrerequisites(tools: readonly string[], builtFiles: readonly string[] = []): string | undefined {
  const missing = [
    ...tools.filter((t) => !findOnPath(t)).map((t) => `${t} (apt-get install ${PACKAGE_OF[t] ?? t})`),
    ...builtFiles.filter((f) => !existsSync(f)).map((f) => `${f} (npm run build)`),
  ];
  return missing.length > 0 ? `missing: ${missing.join(', ')}` : undefined;
}

/**
 * The `skip` option of such a suite: the reason outside CI, else false. In CI nothing may be
 * missing: the suite runs anyway and its before() fails loudly on `missing`.
 */
export function skipOutsideCi(missing: string | undefined): string | false {
  return missing !== undefined && process.env.CI !== 'true' ? missing : false;
}

/**
 * Asserts that promtool parses every query: each becomes a recording rule (the one place
 * promtool parses PromQL offline) named after where the query stands, so an error names it.
 */
export function assertPromqlParses(promtool: string, queries: ReadonlyArray<{ where: string; expr: string }>, what: string): void {
  const record = (where: string): string => `query:${where.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '')}`;
  const rules = { groups: [{ name: 'queries', rules: queries.map((q) => ({ record: record(q.where), expr: q.expr })) }] };
  const dir = mkdtempSync(join(tmpdir(), 'vmc-promql-'));
  try {
    const file = join(dir, 'queries.yml');
    writeFileSync(file, stringifyYaml(rules));
    assertRunOk(run(promtool, ['check', 'rules', file]), `promtool check rules on ${queries.length} ${what}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
