/**
 * The built binary's commands and conventions: `check` (exit 0 when all works, 1 otherwise,
 * 2 for a bad flag; the report on stdout, nothing on stderr), `--version` with the revision
 * the build recorded, and `--log.format=logfmt`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { cleanEnv, EXPORTER_BIN, requireBuild, runNode, spawnSimulator, startNode, waitUntil, type ChildSimulator } from '../helpers/processes.js';

describe('built binary: commands', () => {
  let sim: ChildSimulator;
  before(async () => {
    requireBuild();
    sim = await spawnSimulator(['--listen', '127.0.0.1:0', '--estate', 'demo'], cleanEnv());
  });
  after(async () => {
    await sim?.stop();
  });

  const urls = (): string[] => [`--csp.url=${sim.sim.url}`, `--vmc.url=${sim.sim.url}`];

  test('check: exit 0 and the table on stdout when everything works', async () => {
    const r = await runNode(EXPORTER_BIN, ['check', ...urls(), `--vmc.org=${sim.sim.orgs.join(',')}`], cleanEnv({ VMC_CLIENT_ID: sim.sim.clientId, VMC_CLIENT_SECRET: sim.sim.clientSecret }));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^ORG +ENDPOINT +RESULT +DETAIL$/m);
    assert.match(r.stdout, /\nAll \d+ checks passed\.\n$/);
    assert.ok(!r.stdout.includes(sim.sim.clientSecret));
  });

  test('check: exit 1 with a wrong secret, the hint names the fix; exit 2 for a bad flag', async () => {
    const wrong = await runNode(EXPORTER_BIN, ['check', ...urls()], cleanEnv({ VMC_CLIENT_ID: sim.sim.clientId, VMC_CLIENT_SECRET: 'Wq9zXv2Lm3K9Pt7R' }));
    assert.equal(wrong.code, 1, wrong.stdout + wrong.stderr);
    assert.match(wrong.stdout, /-> CSP rejected the app id or secret/);
    assert.ok(!wrong.stdout.includes('Wq9zXv2Lm3K9Pt7R'));
    const bad = await runNode(EXPORTER_BIN, ['check', '--vmc.concurrency=0'], cleanEnv({ VMC_CLIENT_ID: 'a', VMC_CLIENT_SECRET: 'b' }));
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, 'vmc-exporter: --vmc.concurrency: "0" must be at least 1\n');
  });

  test('--version names the revision the build recorded', async () => {
    const r = await runNode(EXPORTER_BIN, ['--version'], cleanEnv());
    assert.equal(r.code, 0);
    let head = 'unknown';
    try {
      head = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      // no git: the build recorded "unknown"
    }
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^vmc-exporter, version \d+\.\d+\.\d+\S* \(revision: ([0-9a-f]{40}|unknown)\)$/);
    // dist/ may be a build of an earlier commit; the revision is one, or unknown without git.
    if (head !== 'unknown') assert.match(lines[0]!, /\(revision: [0-9a-f]{40}\)$/);
    assert.match(r.stdout, /^ {2}build date: {3}\d{4}-\d\d-\d\dT/m);
    assert.match(r.stdout, new RegExp(`^ {2}node version: ${process.version.replace(/\./g, '\\.')}$`, 'm'));
  });

  test('--log.format=logfmt writes key=value lines', async () => {
    const exporter = startNode('exporter', [EXPORTER_BIN, '--demo', '--web.listen-address=127.0.0.1:0', '--log.format=logfmt'], cleanEnv(), { capture: 'full' });
    try {
      await waitUntil(exporter, 'the listening line', () => /msg=listening/.test(exporter.stdout()), 15_000);
    } finally {
      await exporter.stop();
    }
    const out = exporter.stdout();
    assert.match(out, /^time=\S+ level=info msg=listening name=vmc-exporter address=http:\/\/127\.0\.0\.1:\d+ /m);
    assert.ok(!out.includes('{"'), out);
  });
});
