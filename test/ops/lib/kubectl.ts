/**
 * kubectl for the Kubernetes manifest tests: found on PATH with a kustomize of v5 or later
 * (Debian's own kubectl is older). Missing or too old fails the test when CI=true and skips
 * it elsewhere, like the other tools (see tools.ts).
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { findOnPath, run } from './tools.js';

/** Oldest kustomize accepted (component patches by label, replacements of whole subtrees). */
export const MIN_KUSTOMIZE_MAJOR = 5;

/** The kustomize version `kubectl version --client -o json` reports, e.g. `v5.5.0`; undefined when it reports none. */
export function kustomizeVersion(kubectl: string): string | undefined {
  const r = run(kubectl, ['version', '--client', '-o', 'json'], { timeoutMs: 20_000 });
  if (r.status !== 0) return undefined;
  try {
    return (JSON.parse(r.stdout) as { kustomizeVersion?: string }).kustomizeVersion;
  } catch {
    return undefined;
  }
}

/** Why kubectl cannot render the manifests here, or undefined when it can. */
export function kubectlProblem(): string | undefined {
  const kubectl = findOnPath('kubectl');
  if (kubectl === undefined) return 'kubectl not on PATH (install kubectl 1.27 or later: it brings kustomize v5)';
  const version = kustomizeVersion(kubectl);
  const major = Number(/^v?(\d+)\./.exec(version ?? '')?.[1] ?? Number.NaN);
  if (!(major >= MIN_KUSTOMIZE_MAJOR)) return `${kubectl} brings kustomize ${version ?? '(none)'}; v${MIN_KUSTOMIZE_MAJOR} or later is needed (kubectl 1.27 or later)`;
  return undefined;
}

/**
 * The path of a kubectl with kustomize v5 or later. Otherwise: in CI the test fails; elsewhere
 * it is skipped with the reason and undefined is returned (the caller returns).
 */
export function requireKubectl(t: TestContext): string | undefined {
  const problem = kubectlProblem();
  if (problem === undefined) return findOnPath('kubectl');
  if (process.env.CI === 'true') assert.fail(`${problem}: required when CI=true`);
  t.skip(problem);
  return undefined;
}
