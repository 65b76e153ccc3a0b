/**
 * The production import graph holds no simulator module. The BUILT exporter runs with a
 * module-loading hook (test/helpers/module-log/) that records the URL of every module it
 * loads: against a simulator in another process it loads only dist/, node_modules and node
 * builtins; `--help` likewise; with `--demo` it loads sim/dist/ (so the check can fail).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { cleanEnv, EXPORTER_BIN, requireBuild, ROOT, runNode, spawnExporter, spawnSimulator, type ChildSimulator } from '../helpers/processes.js';
import { parseExposition } from '../helpers/exposition.js';

const ROOT_URL = pathToFileURL(ROOT).href;
const HOOK = pathToFileURL(join(ROOT, 'test/helpers/module-log/register.mjs')).href;

/** Environment that makes node record every loaded module into `file`. */
function loggingEnv(file: string, extra: Record<string, string> = {}): Record<string, string> {
  return cleanEnv({ ...extra, NODE_OPTIONS: `--import=${HOOK}`, MODULE_LOG_FILE: file });
}

/** The recorded module URLs, deduplicated, in load order. */
function loaded(file: string): string[] {
  return [...new Set(readFileSync(file, 'utf8').split('\n').filter((l) => l !== ''))];
}

/** Repository files among `urls`, as paths relative to the repository root. */
const repoFiles = (urls: readonly string[]): string[] => urls.filter((u) => u.startsWith(ROOT_URL)).map((u) => u.slice(ROOT_URL.length));

/**
 * What lies outside the production graph: anything but node builtins, installed packages
 * (any `node_modules/`, which may be a symlink to a shared install), the exporter's own
 * `dist/` (a stale `dist/sim/` excluded) and the hook's preload.
 */
const outsideProduction = (urls: readonly string[]): string[] =>
  urls.filter((u) => {
    if (u.startsWith('node:') || u === HOOK || u.includes('/node_modules/')) return false;
    const path = u.startsWith(ROOT_URL) ? u.slice(ROOT_URL.length) : undefined;
    return !(path?.startsWith('dist/') && !path.startsWith('dist/sim/'));
  });

/** Simulator modules: anything under the repository's `sim/`. */
const simModules = (urls: readonly string[]): string[] => repoFiles(urls).filter((p) => p.startsWith('sim/'));

describe('the built exporter loads no simulator module outside --demo', () => {
  let dir = '';
  let sim: ChildSimulator | undefined;

  before(async () => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'vmc-import-graph-'));
    sim = await spawnSimulator(['--listen', '127.0.0.1:0', '--estate', 'demo'], cleanEnv());
  });
  after(async () => {
    await sim?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('scraping a simulator in another process: only dist/, node_modules and node builtins', async () => {
    const log = join(dir, 'production.log');
    const s = sim!.sim;
    const exporter = await spawnExporter(
      ['--web.listen-address=127.0.0.1:0', `--csp.url=${s.url}`, `--vmc.url=${s.url}`, `--vmc.org=${s.orgs.join(',')}`],
      loggingEnv(log, { VMC_CLIENT_ID: s.clientId, VMC_CLIENT_SECRET: s.clientSecret }),
    );
    try {
      const metrics = parseExposition(await (await fetch(`${exporter.url}/metrics`)).text());
      for (const org of s.orgs) assert.equal(metrics.value('vmc_up', { org_id: org }), 1, `scraped ${org}`);
    } finally {
      assert.equal((await exporter.stop()).code, 0, exporter.stderr());
    }
    const urls = loaded(log);
    const repo = repoFiles(urls);
    for (const m of ['dist/main.js', 'dist/run.js', 'dist/vmc/vmc-client.js', 'dist/http/app.js']) assert.ok(repo.includes(m), `the hook recorded ${m}`);
    assert.ok(urls.some((u) => u.includes('/node_modules/prom-client/')), 'the hook recorded dependencies');
    assert.deepEqual(simModules(urls), []);
    assert.deepEqual(outsideProduction(urls), []);
  });

  test('--help loads no simulator module', async () => {
    const log = join(dir, 'help.log');
    const r = await runNode(EXPORTER_BIN, ['--help'], loggingEnv(log));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /--demo/);
    const urls = loaded(log);
    assert.ok(repoFiles(urls).includes('dist/main.js'), 'the hook recorded dist/main.js');
    assert.deepEqual(simModules(urls), []);
    assert.deepEqual(outsideProduction(urls), []);
  });

  test('--demo loads the simulator from sim/dist/, and scrapes it', async () => {
    const log = join(dir, 'demo.log');
    const exporter = await spawnExporter(['--demo', '--web.listen-address=127.0.0.1:0'], loggingEnv(log));
    try {
      const up = parseExposition(await (await fetch(`${exporter.url}/metrics`)).text()).all('vmc_up');
      assert.ok(up.length > 0 && up.every((s) => s.value === 1), JSON.stringify(up));
    } finally {
      assert.equal((await exporter.stop()).code, 0, exporter.stderr());
    }
    const urls = loaded(log);
    const sim = simModules(urls);
    for (const m of ['sim/dist/demo.js', 'sim/dist/server.js', 'sim/dist/demo-estate.js']) assert.ok(sim.includes(m), `--demo loads ${m}`);
    assert.deepEqual(
      outsideProduction(urls).filter((u) => !u.startsWith(`${ROOT_URL}sim/dist/`)),
      [],
      'the production graph plus the built simulator, nothing else',
    );
  });
});
