/**
 * Demo mode's loader (src/demo.ts): where it looks for the built simulator, the one-line
 * errors when that is missing or wrong, and the simulator's demo entry it starts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { DemoSimulator as SimulatorSide } from '../sim/src/demo.js';
import { DEMO_MODULE_URL, DemoUnavailableError, loadDemoSimulator, type DemoSimulator } from '../src/demo.js';
import { ROOT } from './helpers/processes.js';

// The two declarations of the contract agree (a type error here when they drift apart).
const _fits = (s: SimulatorSide): DemoSimulator => s;

describe('loadDemoSimulator', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmc-demo-loader-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The error a load of `file` (in the temp dir) raises. */
  async function failure(file: string): Promise<DemoUnavailableError> {
    const err = await loadDemoSimulator(pathToFileURL(join(dir, file)).href).then(
      () => assert.fail('expected an error'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof DemoUnavailableError, String(err));
    assert.equal(err.code, 'DEMO_UNAVAILABLE');
    assert.doesNotMatch(err.message, /\n/, 'one line');
    return err;
  }

  test('looks for the built simulator at <repo>/sim/dist/demo.js', () => {
    assert.equal(DEMO_MODULE_URL, pathToFileURL(join(ROOT, 'sim/dist/demo.js')).href);
  });

  test('a missing build: one line naming the file and the fix', async () => {
    const err = await failure('missing/demo.js');
    assert.equal(err.message, `--demo: the simulator ${join(dir, 'missing/demo.js')} is not built; run \`npm run build\``);
  });

  test('a module without startDemoSimulator', async () => {
    writeFileSync(join(dir, 'empty.mjs'), 'export const other = 1;\n');
    const err = await failure('empty.mjs');
    assert.equal(err.message, `--demo: ${join(dir, 'empty.mjs')} exports no startDemoSimulator function; run \`npm run build\``);
  });

  test('a module that cannot be loaded says why, in one line', async () => {
    writeFileSync(join(dir, 'broken.mjs'), 'export const = ;\n');
    const err = await failure('broken.mjs');
    assert.match(err.message, /^--demo: the simulator .*broken\.mjs cannot be loaded \(.+\); run `npm run build`$/);
  });

  test('starts the demo simulator: demo orgs, an OAuth app that logs in, nothing more', async () => {
    const sim = await loadDemoSimulator(pathToFileURL(join(ROOT, 'sim/src/demo.ts')).href);
    try {
      assert.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(sim.orgIds.length, 3);
      assert.deepEqual(Object.keys(sim.credentials).sort(), ['clientId', 'clientSecret']);
      const { clientId, clientSecret } = sim.credentials;
      const res = await fetch(`${sim.url}/csp/gateway/am/api/auth/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=client_credentials&orgId=${sim.orgIds[0]}`,
      });
      assert.equal(res.status, 200);
    } finally {
      await sim.close();
    }
    await assert.rejects(fetch(`${sim.url}/csp/gateway/am/api/auth/token`, { method: 'POST' }), 'closed');
  });
});
