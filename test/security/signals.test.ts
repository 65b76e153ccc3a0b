/**
 * Signals a running exporter gets from operators and process managers: SIGUSR1 must not open
 * the Node inspector (any local user could read the secrets from memory through it), SIGHUP
 * reads the web config file again, SIGUSR2 is logged and ignored; none of them stops the
 * exporter.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { cleanEnv, isListening, requireBuild, spawnExporter, spawnSimulator, waitUntil, type ChildExporter, type ChildSimulator } from '../helpers/processes.js';

describe('signals', () => {
  let sim: ChildSimulator;
  let exporter: ChildExporter;
  let dir: string;
  let webConfig: string;
  const alice = bcrypt.hashSync('wonderland', 4);
  const bob = bcrypt.hashSync('builder', 4);
  const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  /** Replaces the web config atomically, keeping its mtime distinct. */
  function writeWebConfig(text: string): void {
    const tmp = `${webConfig}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, webConfig);
  }

  before(async () => {
    requireBuild();
    dir = mkdtempSync(join(tmpdir(), 'vmc-signals-'));
    webConfig = join(dir, 'web.yml');
    writeWebConfig(`basic_auth_users:\n  alice: "${alice}"\n`);
    sim = await spawnSimulator(['--listen', '127.0.0.1:0', '--estate', 'demo'], cleanEnv());
    const info = sim.sim;
    exporter = await spawnExporter(
      ['--web.listen-address=127.0.0.1:0', `--csp.url=${info.url}`, `--vmc.url=${info.url}`, `--vmc.org=${info.orgs[0]}`, `--web.config.file=${webConfig}`],
      cleanEnv({ VMC_CLIENT_ID: info.clientId, VMC_CLIENT_SECRET: info.clientSecret }),
    );
  });
  after(async () => {
    await exporter?.stop();
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('SIGUSR1 opens no inspector and stops nothing', async () => {
    const inspectorWasFree = !(await isListening(9229));
    exporter.proc.kill('SIGUSR1');
    await waitUntil(exporter, 'SIGUSR1 log line', () => exporter.lines().find((l) => l['signal'] === 'SIGUSR1'), 5000);
    assert.ok(exporter.alive());
    assert.doesNotMatch(exporter.stderr(), /Debugger listening|inspector/i);
    if (inspectorWasFree) assert.equal(await isListening(9229), false, 'nothing listens on the inspector port');
    assert.equal((await fetch(`${exporter.url}/metrics`, { headers: { authorization: basic('alice', 'wonderland') } })).status, 200);
  });

  test('SIGUSR2 is logged and ignored', async () => {
    exporter.proc.kill('SIGUSR2');
    const line = await waitUntil(exporter, 'SIGUSR2 log line', () => exporter.lines().find((l) => l['signal'] === 'SIGUSR2'), 5000);
    assert.equal(line['msg'], 'signal ignored');
    assert.ok(exporter.alive());
  });

  test('SIGHUP reads the web config file again at once', async () => {
    writeWebConfig(`basic_auth_users:\n  bob: "${bob}"\n`);
    const before = exporter.lines().filter((l) => l['msg'] === 'web config reloaded').length;
    exporter.proc.kill('SIGHUP');
    await waitUntil(exporter, 'reload log line', () => (exporter.lines().filter((l) => l['msg'] === 'web config reloaded').length > before ? true : undefined), 5000);
    assert.ok(exporter.alive());
    assert.equal((await fetch(`${exporter.url}/metrics`, { headers: { authorization: basic('bob', 'builder') } })).status, 200);
    assert.equal((await fetch(`${exporter.url}/metrics`, { headers: { authorization: basic('alice', 'wonderland') } })).status, 401);
  });

  test('an emptied web config keeps basic auth on, with a warning; a file that says so turns it off', async () => {
    writeWebConfig('');
    exporter.proc.kill('SIGHUP');
    const warn = await waitUntil(exporter, 'warning', () => exporter.lines().find((l) => l['level'] === 'warn' && JSON.stringify(l['err'] ?? '').includes('the file is empty')), 5000);
    assert.equal(warn['msg'], 'web config reload failed; keeping the last good configuration');
    assert.equal((await fetch(`${exporter.url}/metrics`)).status, 401, 'still needs credentials');
    assert.equal((await fetch(`${exporter.url}/metrics`, { headers: { authorization: basic('bob', 'builder') } })).status, 200);
    writeWebConfig('basic_auth_users: {}\n');
    exporter.proc.kill('SIGHUP');
    const reloads = exporter.lines().filter((l) => l['msg'] === 'web config reloaded').length;
    await waitUntil(exporter, 'reload log line', () => (exporter.lines().filter((l) => l['msg'] === 'web config reloaded').length > reloads ? true : undefined), 5000);
    assert.equal((await fetch(`${exporter.url}/metrics`)).status, 200, 'a valid file without users turns auth off');
  });
});
