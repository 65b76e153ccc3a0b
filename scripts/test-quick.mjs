// `npm run test:quick`: the unit tests, that is every test file under test/ but the
// cross-cutting suites that start the built binary, real tools or long fault runs (test/e2e,
// test/ops, test/resilience, test/security). They run in one process, one file after the
// other: a node process per file (what `npm test` does) costs more than most of these files'
// tests. Extra arguments go to `node --test` (e.g. --test-name-pattern=…).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const CROSS_CUTTING = new Set(['e2e', 'ops', 'resilience', 'security']);

/** The `*.test.ts` files under `dir`, sorted. */
function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const path = join(dir, e.name);
      if (e.isDirectory()) return dir === 'test' && CROSS_CUTTING.has(e.name) ? [] : testFiles(path);
      return e.name.endsWith('.test.ts') ? [path] : [];
    })
    .sort();
}

const files = testFiles('test');
// Static imports: every file registers its tests and top-level hooks before any test runs.
const dir = mkdtempSync(join(tmpdir(), 'vmc-test-quick-'));
const entry = join(dir, 'unit.test.mjs');
writeFileSync(entry, files.map((f) => `import ${JSON.stringify(pathToFileURL(resolve(f)).href)};\n`).join(''));
try {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...process.argv.slice(2), entry], { stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
