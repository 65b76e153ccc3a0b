/**
 * The Dockerfile's HEALTHCHECK command, exactly as written there, run against the built
 * exporter in each web setup: plain HTTP, basic auth, TLS, and TLS with client certificates
 * required. As in a container, the command gets the exporter's environment (here: its own
 * temp dir) and its working directory, and none of its flags.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { cleanEnv, requireBuild, ROOT, spawnExporter, type ChildExporter } from '../helpers/processes.js';
import { makePki, type Pki } from '../helpers/tls-fixtures.js';
import { readRepoFile } from './lib/tools.js';

/** The exec-form argv of the Dockerfile's last HEALTHCHECK (continuation lines joined). */
function healthcheckCommand(): string[] {
  const text = readRepoFile('Dockerfile').replace(/\\\n/g, ' ');
  const line = text.split('\n').filter((l) => /^HEALTHCHECK\s/.test(l)).at(-1);
  assert.ok(line, 'the Dockerfile has a HEALTHCHECK');
  const m = /\sCMD\s+(\[.*\])\s*$/.exec(line);
  assert.ok(m, `HEALTHCHECK uses the exec form: ${line}`);
  return JSON.parse(m[1]!) as string[];
}

interface Setup {
  readonly name: string;
  /** Lines of the web config file; none = no --web.config.file. */
  readonly webConfig?: (pki: Pki) => string[];
  /** Extra exporter flags. */
  readonly flags?: (pki: Pki) => string[];
}

const hash = bcrypt.hashSync('hc-password', 4);
const tls = (pki: Pki): string[] => ['tls_server_config:', `  cert_file: ${pki.servers[0].certFile}`, `  key_file: ${pki.servers[0].keyFile}`];
const mtls = (pki: Pki): string[] => [...tls(pki), `  client_ca_file: ${pki.ca.certFile}`, '  client_auth_type: RequireAndVerifyClientCert'];
const clientCertFlags = (pki: Pki): string[] => [`--healthcheck.cert-file=${pki.client.certFile}`, `--healthcheck.key-file=${pki.client.keyFile}`];

const SETUPS: readonly Setup[] = [
  { name: 'plain HTTP' },
  { name: 'basic auth', webConfig: () => ['basic_auth_users:', `  prometheus: "${hash}"`] },
  { name: 'TLS', webConfig: tls },
  { name: 'TLS and basic auth, two listen addresses', webConfig: (p) => [...tls(p), 'basic_auth_users:', `  prometheus: "${hash}"`], flags: () => ['--web.listen-address=127.0.0.1:0'] },
  { name: 'TLS with client certificates required', webConfig: mtls, flags: clientCertFlags },
];

describe("the Dockerfile's HEALTHCHECK command against a running exporter", { concurrency: 2 }, () => {
  const command = healthcheckCommand();
  let pki: Pki;
  let dir = '';
  const running: ChildExporter[] = [];

  before(() => {
    requireBuild();
    pki = makePki();
    dir = mkdtempSync(join(tmpdir(), 'vmc-healthcheck-'));
  });
  after(async () => {
    for (const e of running) await e.stop();
    pki?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Starts the built exporter (demo mode: no credentials) with its own temp dir. */
  async function start(name: string, setup: Setup): Promise<{ exporter: ChildExporter; env: Record<string, string> }> {
    const home = join(dir, name.replace(/\W+/g, '-'));
    mkdirSync(join(home, 'tmp'), { recursive: true });
    const args = ['--demo', '--web.listen-address=127.0.0.1:0', '--log.level=warn', ...(setup.flags?.(pki) ?? [])];
    if (setup.webConfig) {
      const file = join(home, 'web.yml');
      writeFileSync(file, `${setup.webConfig(pki).join('\n')}\n`);
      args.push(`--web.config.file=${file}`);
    }
    const env = cleanEnv({ TMPDIR: join(home, 'tmp') });
    // --log.level=warn hides the `listening` line spawnExporter waits for: ask for info.
    const exporter = await spawnExporter(args.map((a) => (a === '--log.level=warn' ? '--log.level=info' : a)), env);
    running.push(exporter);
    return { exporter, env };
  }

  /** Runs the HEALTHCHECK command in the image's working directory with the container's environment. */
  function healthcheck(env: Record<string, string>, extra: string[] = []) {
    assert.equal(command[0], 'node');
    const r = spawnSync(process.execPath, [...command.slice(1), ...extra], { cwd: ROOT, env, encoding: 'utf8', timeout: 15_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  for (const setup of SETUPS) {
    test(`${setup.name}: exit 0`, async () => {
      const { exporter, env } = await start(setup.name, setup);
      const r = healthcheck(env);
      assert.equal(r.code, 0, `stdout: ${r.stdout}\nstderr: ${r.stderr}\nexporter: ${exporter.stderr()}`);
      assert.match(r.stdout, /^healthy: https?:\/\/127\.0\.0\.1:\d+\/-\/healthy/);
      assert.equal(r.stdout.split('\n').filter(Boolean).length, 1);
      assert.equal(r.stderr, '');
      const scheme = setup.webConfig && setup.webConfig(pki)[0] === 'tls_server_config:' ? 'https' : 'http';
      assert.ok(r.stdout.includes(`${scheme}://`), r.stdout);
      const listeners = exporter.lines().filter((l) => l['msg'] === 'listening').length;
      assert.equal(r.stdout.split(', ').length, listeners, 'every listener is checked');
    });
  }

  test('client certificates required but none given to the exporter: exit 1, one line naming the flags', async () => {
    const { env } = await start('mtls-without-cert', { name: 'mtls-without-cert', webConfig: mtls });
    const r = healthcheck(env);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const lines = r.stderr.split('\n').filter(Boolean);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /^vmc-exporter healthcheck: https:\/\/127\.0\.0\.1:\d+\/-\/healthy: .*--healthcheck\.cert-file and --healthcheck\.key-file$/);
  });

  test('the exporter stopped: exit 1, one line; its runtime file is gone', async () => {
    const { exporter, env } = await start('stopped', { name: 'stopped' });
    assert.equal(healthcheck(env).code, 0);
    await exporter.stop();
    assert.ok(!existsSync(join(env['TMPDIR']!, `vmc-exporter-${process.getuid?.()}`, 'runtime.json')), 'removed at shutdown');
    const r = healthcheck(env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^vmc-exporter healthcheck: no running exporter recorded in .*runtime\.json; start the exporter first, or pass its flags .*\n$/);
  });

  test("with the exporter's flags instead of the runtime file; bad flags exit 1, never Docker's reserved 2", async () => {
    const { exporter, env } = await start('flags', { name: 'flags', webConfig: tls });
    const port = new URL(exporter.url).port;
    const file = join(dir, 'flags', 'web.yml');
    const ok = healthcheck(cleanEnv({ TMPDIR: join(dir, 'elsewhere') }), [`--web.listen-address=:${port}`, `--web.config.file=${file}`, '--auth.client-secret-file=/nonexistent']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, `healthy: https://127.0.0.1:${port}/-/healthy\n`);
    const plain = healthcheck(env, [`--web.listen-address=127.0.0.1:${port}`]);
    assert.equal(plain.code, 1);
    assert.match(plain.stderr, /TLS error: does the exporter serve plain HTTP \(or HTTPS\) there\?|ECONNRESET|socket hang up/);
    const bad = healthcheck(env, ['--bogus']);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'vmc-exporter healthcheck: unknown flag --bogus\n');
    const zero = healthcheck(env, ['--web.listen-address=:0']);
    assert.equal(zero.code, 1);
    assert.match(zero.stderr, /port 0 has no fixed port to check/);
  });
});
