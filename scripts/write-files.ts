/**
 * Writing generated files: each file whose content differs is written (and named on stdout),
 * and under `prune` every file that is not among them is removed.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

function walk(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/**
 * Writes `files` (repository-relative path → content) under `root`; with `prune` (a
 * repository-relative folder), removes the files under it that `files` does not hold.
 * Returns how many files were written or removed.
 */
export function writeFiles(root: string, files: ReadonlyMap<string, string>, prune?: string): number {
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
  if (prune !== undefined) {
    for (const file of walk(join(root, prune))) {
      const path = relative(root, file);
      if (files.has(path)) continue;
      rmSync(file);
      console.log(`${path}: removed`);
      changed++;
    }
  }
  return changed;
}
