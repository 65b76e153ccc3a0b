/**
 * The built binary with bad configurations: a non-zero exit, exactly one line on stderr
 * naming the flag or variable (exact text, as defined in src/config/* and
 * test/config/parse-config.test.ts), nothing on stdout, no stack trace, and the port given is
 * never listened on.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { NO_CREDENTIALS_MESSAGE } from '../../src/config/resolve-auth.js';
import { hasStackTrace } from '../helpers/exporter-harness.js';
import { cleanEnv, EXPORTER_BIN, freePort, isListening, requireBuild, runNode, type RunResult } from '../helpers/processes.js';

interface BadCase {
  readonly name: string;
  readonly args: (dir: string) => string[];
  readonly env?: Record<string, string>;
  /** The stderr line after `vmc-exporter: `, exactly; or a pattern. */
  readonly message: (dir: string) => string | RegExp;
  /** @default 2 (configuration error) */
  readonly code?: number;
}

const OAUTH = { VMC_CLIENT_ID: 'app-id', VMC_CLIENT_SECRET: 'app-secret-value' };

const CASES: readonly BadCase[] = [
  { name: 'no credentials', args: () => [], env: {}, message: () => NO_CREDENTIALS_MESSAGE },
  {
    name: 'secret file unreadable (a directory)',
    args: (d) => [`--auth.client-secret-file=${d}/a-directory`],
    env: { VMC_CLIENT_ID: 'app-id' },
    message: (d) => `--auth.client-secret-file: cannot read "${d}/a-directory": is a directory`,
  },
  {
    name: 'secret file missing',
    args: (d) => [`--auth.client-secret-file=${d}/missing`],
    env: { VMC_CLIENT_ID: 'app-id' },
    message: (d) => `--auth.client-secret-file: cannot read "${d}/missing": no such file`,
  },
  {
    name: 'secret file empty',
    args: (d) => [`--auth.api-token-file=${d}/empty`],
    env: {},
    message: (d) => `--auth.api-token-file: "${d}/empty" is empty`,
  },
  { name: 'malformed URL', args: () => ['--vmc.url=vmc.vmware.com'], message: () => '--vmc.url: "vmc.vmware.com" is not an absolute URL' },
  { name: 'URL with another scheme', args: () => ['--csp.url=ftp://csp.example.com'], message: () => '--csp.url: "ftp://csp.example.com" must start with http:// or https://' },
  { name: 'negative duration', args: () => ['--cache.ttl=-1'], message: () => '--cache.ttl: "-1" must not be negative' },
  { name: 'negative duration (offset)', args: () => ['--web.timeout-offset=-5m'], message: () => '--web.timeout-offset: "-5m" must not be negative' },
  {
    name: 'non-numeric duration',
    args: () => ['--cache.max-stale=5min'],
    message: () => '--cache.max-stale: "5min" is not a duration (use seconds like 60, or 90s, 5m)',
  },
  { name: 'zero request timeout', args: () => ['--vmc.timeout=0'], message: () => '--vmc.timeout: "0" must be greater than 0' },
  { name: 'unknown flag', args: () => ['--bogus'], message: () => 'unknown flag --bogus' },
  { name: 'unknown flag with a suggestion', args: () => ['--cache-ttl=60'], message: () => 'unknown flag --cache-ttl (did you mean --cache.ttl?)' },
  { name: 'web config file missing', args: (d) => [`--web.config.file=${d}/missing.yml`], message: (d) => `--web.config.file: cannot read "${d}/missing.yml": no such file` },
  {
    name: 'web config file: invalid YAML',
    args: (d) => [`--web.config.file=${d}/invalid.yml`],
    message: (d) => new RegExp(`^--web\\.config\\.file ${escape(d)}/invalid\\.yml: invalid YAML at line \\d+, column \\d+: \\S.*$`),
  },
  { name: 'web config file: unknown field', args: (d) => [`--web.config.file=${d}/unknown.yml`], message: (d) => `--web.config.file ${d}/unknown.yml: foo: unknown field` },
  {
    name: 'web config file: certificate missing',
    args: (d) => [`--web.config.file=${d}/nocert.yml`],
    message: (d) => `--web.config.file ${d}/nocert.yml: tls_server_config.cert_file: no such file: ${d}/missing.pem`,
  },
  {
    name: 'both an OAuth app and an API token',
    args: () => [],
    env: { ...OAUTH, VMC_API_TOKEN: 'api-token-value' },
    message: () => 'configure either an OAuth app (client id + secret) or an API token, not both (found VMC_CLIENT_ID, VMC_CLIENT_SECRET, VMC_API_TOKEN)',
  },
  {
    name: 'client id without a secret',
    args: () => [],
    env: { VMC_CLIENT_ID: 'app-id' },
    message: () => 'VMC_CLIENT_ID is set but the client secret is missing: set VMC_CLIENT_SECRET or --auth.client-secret-file',
  },
  {
    name: 'listen address whose host name does not resolve (the watched address comes first)',
    args: () => ['--web.listen-address=nosuchhost.invalid:10040'],
    message: () => '--web.listen-address: cannot listen on nosuchhost.invalid:10040: host name not found',
  },
  { name: '--log.format of another kind', args: () => ['--log.format=text'], message: () => '--log.format: "text" is not one of json, logfmt' },
  {
    name: 'secret on the command line',
    args: () => ['--auth.client-secret=hunter2hunter2'],
    env: { VMC_CLIENT_ID: 'app-id' },
    message: () => '--auth.client-secret is not accepted: secrets on the command line leak via ps and shell history; use --auth.client-secret-file or VMC_CLIENT_SECRET',
  },
];

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Runs the binary on `port` while checking, every 5 ms, that nothing listens there. */
async function runWatchingPort(args: string[], env: Record<string, string>, port: number): Promise<RunResult & { listened: boolean }> {
  let done = false;
  let listened = false;
  const watcher = (async () => {
    while (!done) {
      if (await isListening(port)) listened = true;
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const result = await runNode(EXPORTER_BIN, [`--web.listen-address=127.0.0.1:${port}`, ...args], env);
  done = true;
  await watcher;
  if (await isListening(port)) listened = true;
  return { ...result, listened };
}

describe('bad configuration (built binary)', { concurrency: 4 }, () => {
  let dir: string;
  before(async () => {
    requireBuild();
    dir = await mkdtemp(join(tmpdir(), 'vmc-bad-config-'));
    await mkdir(join(dir, 'a-directory'));
    await writeFile(join(dir, 'empty'), '  \n');
    await writeFile(join(dir, 'invalid.yml'), 'tls_server_config:\n  cert_file: [\n');
    await writeFile(join(dir, 'unknown.yml'), 'foo: 1\n');
    await writeFile(join(dir, 'nocert.yml'), `tls_server_config:\n  cert_file: ${dir}/missing.pem\n  key_file: ${dir}/missing.key\n`);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const c of CASES) {
    test(c.name, async () => {
      const port = await freePort();
      const r = await runWatchingPort(c.args(dir), cleanEnv(c.env ?? OAUTH), port);
      assert.equal(r.code, c.code ?? 2, `exit code (stderr: ${r.stderr})`);
      assert.equal(r.stdout, '', 'nothing on stdout');
      assert.ok(r.stderr.endsWith('\n'));
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      assert.equal(lines.length, 1, `exactly one stderr line: ${JSON.stringify(r.stderr)}`);
      const line = lines[0] ?? '';
      assert.ok(line.startsWith('vmc-exporter: '), line);
      const expected = c.message(dir);
      if (typeof expected === 'string') assert.equal(line, `vmc-exporter: ${expected}`);
      else assert.match(line.slice('vmc-exporter: '.length), expected);
      assert.ok(!hasStackTrace(r.stderr), 'no stack trace');
      assert.equal(r.listened, false, `nothing listened on port ${port}`);
    });
  }

  // A malformed proxy variable is a configuration error naming the variable, never a generic
  // "cannot start: Invalid URL". The value is never echoed (it may hold a proxy password).
  for (const [variable, value] of [
    ['HTTP_PROXY', 'not a url'],
    ['HTTPS_PROXY', 'proxy.example.com:3128'],
    ['https_proxy', 'http://'],
    ['http_proxy', 'http://user:Qz-proxy-password@'],
  ] as const) {
    test(`malformed ${variable}: one line naming ${variable}`, async () => {
      const port = await freePort();
      const r = await runWatchingPort([], cleanEnv({ ...OAUTH, [variable]: value }), port);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `vmc-exporter: ${variable}: not a proxy URL (expected http://host:port or https://host:port)\n`);
      assert.ok(!r.stderr.includes('Qz-proxy-password'));
      assert.equal(r.listened, false);
    });
  }

  test('port already in use: exit 1, one line naming --web.listen-address', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const port = (blocker.address() as { port: number }).port;
      assert.ok(await isListening(port), 'the port watcher sees a listener');
      const r = await runNode(EXPORTER_BIN, [`--web.listen-address=127.0.0.1:${port}`], cleanEnv(OAUTH));
      assert.notEqual(r.code, 0);
      assert.equal(r.stdout.split('\n').filter((l) => l.includes('"level":"info"') && l.includes('"listening"')).length, 0);
      const lines = r.stderr.split('\n').filter((l) => l !== '');
      assert.deepEqual(lines, [`vmc-exporter: --web.listen-address: cannot listen on 127.0.0.1:${port}: address already in use`]);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  test('listen address this host does not have: exit 2, one line naming the flag and the address', async () => {
    const r = await runNode(EXPORTER_BIN, ['--web.listen-address=192.0.2.1:10040'], cleanEnv(OAUTH));
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, 'vmc-exporter: --web.listen-address: cannot listen on 192.0.2.1:10040: address not available on this host\n');
  });

  test('the second of two listen addresses in use: exit 1, the line names that address, the first is closed again', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const busy = (blocker.address() as { port: number }).port;
      const free = await freePort();
      const r = await runNode(EXPORTER_BIN, [`--web.listen-address=127.0.0.1:${free}`, `--web.listen-address=127.0.0.1:${busy}`], cleanEnv(OAUTH));
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr, `vmc-exporter: --web.listen-address: cannot listen on 127.0.0.1:${busy}: address already in use\n`);
      assert.equal(await isListening(free), false, 'the first address is not left listening');
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});
