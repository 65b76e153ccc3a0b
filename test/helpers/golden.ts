import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';

/**
 * Compares `actual` with the golden file byte for byte; `UPDATE_GOLDEN=1` rewrites the file
 * instead (review the diff before committing).
 */
export async function assertGolden(actual: string, file: URL): Promise<void> {
  if (process.env['UPDATE_GOLDEN'] === '1') {
    await writeFile(file, actual);
    return;
  }
  const expected = await readFile(file, 'utf8');
  assert.equal(actual, expected, `output differs from ${file.pathname} (UPDATE_GOLDEN=1 rewrites it)`);
}

/** Drops lines whose values depend on real time (durations) or the Node.js version. */
export function stabilize(exposition: string): string {
  return exposition
    .split('\n')
    .filter((l) => !/^vmc_(scrape_duration_seconds|collector_duration_seconds|api_request_duration_seconds|token_refresh_duration_seconds)/.test(l))
    .map((l) => l.replace(/nodejs_version="[^"]*"/, 'nodejs_version="NODE"'))
    .join('\n');
}
