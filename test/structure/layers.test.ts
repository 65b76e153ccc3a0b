/**
 * The layers of `src/` import only downward: lib → config → upstream → auth → vmc → collect
 * → metrics → web-config → http → the composition root (run.ts, main.ts, demo.ts,
 * cli-flags.ts). Type-only imports count too: a type from a higher layer is a dependency
 * on it all the same.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Layers from the bottom; a module may import its own layer and those before it. Folders in one entry share a layer. */
const LAYERS = ['lib', 'config', 'upstream', 'auth', 'vmc', 'collect', 'metrics', 'web-config', 'http', 'check|healthcheck', 'root'] as const;

const rankOf = (folder: string): number => LAYERS.findIndex((l) => l.split('|').includes(folder));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** The layer of a file under src/: its top folder, or `root` for the files at the top. */
function layerOf(file: string): number {
  const rel = relative(SRC, file);
  const top = rel.includes('/') ? rel.split('/')[0]! : 'root';
  const at = rankOf(top === 'version.ts' ? 'lib' : top);
  assert.ok(at >= 0, `${rel}: folder ${top} is in no layer (add it to LAYERS in ${relative(process.cwd(), fileURLToPath(import.meta.url))})`);
  return at;
}

/** Relative module specifiers of `text`: static imports, re-exports and literal dynamic imports. */
export function relativeImports(text: string): string[] {
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'(\.{1,2}\/[^']+)'/g)) specs.push(m[1]!);
  for (const m of text.matchAll(/(?:^|\n)\s*import\s+'(\.{1,2}\/[^']+)'/g)) specs.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*'(\.{1,2}\/[^']+)'\s*\)/g)) specs.push(m[1]!);
  return specs;
}

describe('layers of src/', () => {
  const files = sourceFiles(SRC);

  test('the import scanner sees static, type-only, re-exported and dynamic imports', () => {
    const text = "import a from './a.js';\nimport type { B } from '../b/b.js';\nexport { c } from './c.js';\nconst d = await import('./d.js');\nimport './e.js';\n";
    assert.deepEqual(relativeImports(text).sort(), ['../b/b.js', './a.js', './c.js', './d.js', './e.js']);
  });

  test('no module imports from a layer above its own', () => {
    const upward: string[] = [];
    for (const file of files) {
      const own = layerOf(file);
      for (const spec of relativeImports(readFileSync(file, 'utf8'))) {
        const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
        if (!target.startsWith(SRC)) {
          upward.push(`${relative(SRC, file)} imports ${spec}, outside src/`);
          continue;
        }
        const theirs = layerOf(target);
        if (theirs > own) upward.push(`${relative(SRC, file)} (${LAYERS[own]}) imports ${spec} (${LAYERS[theirs]})`);
      }
    }
    assert.deepEqual(upward, []);
  });

  test('every folder of src/ is a layer', () => {
    const folders = readdirSync(SRC, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    for (const f of folders) assert.ok(rankOf(f) >= 0, `src/${f} is in no layer`);
  });
});
