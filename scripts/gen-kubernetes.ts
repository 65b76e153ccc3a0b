/**
 * `npm run gen:kubernetes`: writes the kustomize base's generated files (PrometheusRules
 * from prometheus/rules/*.yml, the Grafana dashboards for their ConfigMap) and removes
 * generated files whose source is gone.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GENERATED_DIR, kubernetesFiles } from './kubernetes-files.js';

const root = fileURLToPath(new URL('..', import.meta.url));

function walk(dir: string): string[] {
  let out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  for (const name of names) {
    const path = join(dir, name);
    out = statSync(path).isDirectory() ? [...out, ...walk(path)] : [...out, path];
  }
  return out;
}

try {
  const files = kubernetesFiles(root);
  let changed = 0;
  for (const [path, content] of files) {
    const file = join(root, path);
    let before: string | undefined;
    try {
      before = readFileSync(file, 'utf8');
    } catch {
      before = undefined;
    }
    if (before === content) continue;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    console.log(`${path}: written`);
    changed++;
  }
  for (const file of walk(join(root, GENERATED_DIR))) {
    const path = relative(root, file);
    if (files.has(path)) continue;
    rmSync(file);
    console.log(`${path}: removed`);
    changed++;
  }
  if (changed === 0) console.log(`${GENERATED_DIR}: up to date`);
} catch (err) {
  console.error(`gen:kubernetes: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
