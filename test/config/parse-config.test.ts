import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { COLLECTORS } from '../../src/collect/collectors/index.js';
import type { CollectorSettings, Config, ConfigWithoutAuth } from '../../src/config/config.js';
import { parseDuration } from '../../src/config/duration.js';
import { flagTable } from '../../src/config/flag-table.js';
import { formatListenAddress } from '../../src/config/listen-address.js';
import { parseCommandLine, type ParseOptions } from '../../src/config/parse-config.js';
import { ConfigError } from '../../src/lib/errors.js';

const FLAGS = flagTable(COLLECTORS);

type Env = Record<string, string | undefined>;

let dir = '';
/** Paths in the temp dir, filled in by `before`. */
const file = { secret: '', token: '', empty: '', blank: '', missing: '', dir: '', webConfig: '' };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vmc-exporter-config-'));
  file.secret = join(dir, 'client-secret');
  file.token = join(dir, 'api-token');
  file.empty = join(dir, 'empty');
  file.blank = join(dir, 'blank');
  file.missing = join(dir, 'missing');
  file.dir = join(dir, 'a-directory');
  file.webConfig = join(dir, 'web.yml');
  await writeFile(file.secret, 'file-secret\n');
  await writeFile(file.token, '  file-token \n');
  await writeFile(file.empty, '');
  await writeFile(file.blank, ' \n\t\n');
  await mkdir(file.dir);
  await writeFile(file.webConfig, 'tls_server_config: {}\n');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const OAUTH_ENV: Env = { VMC_CLIENT_ID: 'env-client', VMC_CLIENT_SECRET: 'env-secret' };
const VERSION = '1.2.3-test';

async function parse(argv: string[], env: Env = {}, opts: Partial<ParseOptions> = {}) {
  return parseCommandLine(argv, env, { version: VERSION, collectors: COLLECTORS, ...opts });
}

/** The configuration of a run (`--demo`: without credentials, `auth` undefined). */
async function config(argv: string[], env: Env = {}, opts: Partial<ParseOptions> = {}): Promise<ConfigWithoutAuth & { auth?: Config['auth'] }> {
  const result = await parse(argv, env, opts);
  if (result.action === 'print') assert.fail('expected a configuration, got text to print');
  return result.config;
}

/** The SDDC collector's settings (`--cache.ttl`). */
const ttlOf = (c: ConfigWithoutAuth): number => c.collectors['sddcs']!.ttlSeconds;

async function errorOf(argv: string[], env: Env = {}, opts: Partial<ParseOptions> = {}): Promise<string> {
  try {
    await parse(argv, env, opts);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    assert.equal(err.code, 'CONFIG');
    assert.ok(!err.message.includes('\n'), `message must be one line: ${err.message}`);
    return err.message;
  }
  assert.fail(`expected ${JSON.stringify(argv)} to be rejected`);
}

/** Paths are only known once `before` ran, so tables use placeholders like `{secret}`. */
function expand(items: readonly string[]): string[] {
  return items.map((s) => s.replace(/\{(\w+)\}/g, (_, key: string) => file[key as keyof typeof file]));
}

function expandEnv(env: Env | undefined): Env {
  return Object.fromEntries(Object.entries(env ?? {}).map(([k, v]) => [k, v === undefined ? v : expand([v])[0]]));
}

describe('defaults', () => {
  it('every field has its documented default (demo needs no credentials)', async () => {
    const c = await config(['--demo']);
    assert.equal(c.auth, undefined);
    assert.deepEqual(c.listen, [{ host: undefined, port: 10040 }]);
    assert.equal(c.telemetryPath, '/metrics');
    assert.equal(c.webConfigFile, undefined);
    assert.equal(c.maxRequests, 40);
    assert.equal(c.timeoutOffsetSeconds, 0.5);
    assert.equal(c.cspUrl, 'https://console.cloud.vmware.com');
    assert.equal(c.vmcUrl, 'https://vmc.vmware.com');
    assert.deepEqual(c.orgs, []);
    assert.equal(c.concurrency, 4);
    assert.equal(c.requestTimeoutSeconds, 30);
    assert.equal(ttlOf(c), 60);
    assert.deepEqual(c.collectors['sddcs'], { enabled: true, ttlSeconds: 60, options: {} });
    assert.equal(c.maxStaleSeconds, 300);
    assert.equal(c.logLevel, 'info');
    assert.equal(c.logFormat, 'json');
    assert.deepEqual(c.healthcheck, { certFile: undefined, keyFile: undefined });
    assert.equal(c.demo, true);
  });

  it('without --demo, demo is false and credentials are required', async () => {
    const result = await parse([], OAUTH_ENV);
    assert.equal(result.action, 'run');
    const c = await config([], OAUTH_ENV);
    assert.equal(c.demo, false);
    assert.equal(c.auth?.kind, 'oauth');
  });

  it('every flag that fills a field has one default or says what its absence means', () => {
    for (const flag of FLAGS.filter((f) => f.field !== undefined)) {
      assert.ok(flag.default !== undefined || flag.defaultNote !== undefined, `--${flag.name}`);
    }
  });
});

/** Good inputs: argv (+ env) → the Config fields that change. `{name}` expands to a temp path. */
const GOOD: ReadonlyArray<{ argv: string[]; env?: Env; expect: Partial<ConfigWithoutAuth> & { ttl?: number } & { [collector: `collector:${string}`]: CollectorSettings } }> = [
  // listen addresses
  { argv: ['--web.listen-address=:9999'], expect: { listen: [{ host: undefined, port: 9999 }] } },
  { argv: ['--web.listen-address', 'localhost:9000'], expect: { listen: [{ host: 'localhost', port: 9000 }] } },
  { argv: ['--web.listen-address=0.0.0.0:0'], expect: { listen: [{ host: '0.0.0.0', port: 0 }] } },
  { argv: ['--web.listen-address=127.0.0.1:65535'], expect: { listen: [{ host: '127.0.0.1', port: 65535 }] } },
  { argv: ['--web.listen-address=[::1]:10040'], expect: { listen: [{ host: '::1', port: 10040 }] } },
  { argv: ['--web.listen-address=[::]:80'], expect: { listen: [{ host: '::', port: 80 }] } },
  { argv: ['--web.listen-address=exporter-1.example.com:10040'], expect: { listen: [{ host: 'exporter-1.example.com', port: 10040 }] } },
  // web
  { argv: ['--web.telemetry-path=/vmc/metrics'], expect: { telemetryPath: '/vmc/metrics' } },
  { argv: ['--web.config.file={webConfig}'], expect: { webConfigFile: '{webConfig}' } },
  { argv: ['--web.max-requests=0'], expect: { maxRequests: 0 } },
  { argv: ['--web.max-requests', '7'], expect: { maxRequests: 7 } },
  { argv: ['--web.timeout-offset=0'], expect: { timeoutOffsetSeconds: 0 } },
  { argv: ['--web.timeout-offset=250ms'], expect: { timeoutOffsetSeconds: 0.25 } },
  // urls: trailing slashes stripped, path kept, host normalised
  { argv: ['--csp.url=https://csp.example.com/'], expect: { cspUrl: 'https://csp.example.com' } },
  { argv: ['--vmc.url=http://127.0.0.1:8080/api//'], expect: { vmcUrl: 'http://127.0.0.1:8080/api' } },
  { argv: ['--vmc.url=HTTPS://VMC.Example.COM:443'], expect: { vmcUrl: 'https://vmc.example.com' } },
  // orgs: repeatable, comma-separated, deduplicated in order; flag wins over env
  { argv: ['--vmc.org=b', '--vmc.org', 'a,c', '--vmc.org=b'], expect: { orgs: ['b', 'a', 'c'] } },
  { argv: [], env: { VMC_ORG_IDS: 'org-1, org-2,org-1' }, expect: { orgs: ['org-1', 'org-2'] } },
  { argv: ['--vmc.org=flag-org'], env: { VMC_ORG_IDS: 'env-org' }, expect: { orgs: ['flag-org'] } },
  { argv: [], env: { VMC_ORG_IDS: '' }, expect: { orgs: [] } },
  { argv: [], env: { VMC_ORG_IDS: '  ' }, expect: { orgs: [] } },
  { argv: ['--vmc.org=2c0d6f4e-1f4a-4b0e-9a7e-3f1c2b7e9d10'], expect: { orgs: ['2c0d6f4e-1f4a-4b0e-9a7e-3f1c2b7e9d10'] } },
  { argv: ['--vmc.org=A.b_c-1'], expect: { orgs: ['A.b_c-1'] } },
  // vmc
  { argv: ['--vmc.concurrency=1'], expect: { concurrency: 1 } },
  { argv: ['--vmc.timeout=2m'], expect: { requestTimeoutSeconds: 120 } },
  { argv: ['--vmc.timeout=0.1'], expect: { requestTimeoutSeconds: 0.1 } },
  // cache
  { argv: ['--cache.ttl=0'], expect: { ttl: 0 } },
  { argv: ['--cache.max-stale=0'], expect: { maxStaleSeconds: 0 } },
  { argv: ['--cache.max-stale=1h'], expect: { maxStaleSeconds: 3600 } },
  // log level, demo
  ...(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const).map((level) => ({
    argv: [`--log.level=${level}`],
    expect: { logLevel: level },
  })),
  { argv: ['--no-collector.sddcs'], expect: { 'collector:sddcs': { enabled: false, ttlSeconds: 60, options: {} } } },
  { argv: ['--collector.sddcs=false'], expect: { 'collector:sddcs': { enabled: false, ttlSeconds: 60, options: {} } } },
  { argv: ['--no-collector.sddcs', '--collector.sddcs'], expect: { 'collector:sddcs': { enabled: true, ttlSeconds: 60, options: {} } } },
  { argv: ['--no-collector.orgs'], expect: { 'collector:orgs': { enabled: false, ttlSeconds: 600, options: {} } } },
  { argv: ['--collector.orgs.ttl=1h'], expect: { 'collector:orgs': { enabled: true, ttlSeconds: 3600, options: {} } } },
];

describe('good inputs', () => {
  for (const { argv, env, expect } of GOOD) {
    it(`${argv.join(' ')} ${env ? JSON.stringify(env) : ''}`, async () => {
      const c = await config(['--demo', ...expand(argv)], expandEnv(env));
      for (const [key, value] of Object.entries(expect)) {
        const expected = typeof value === 'string' ? expand([value])[0] : value;
        const actual = key === 'ttl' ? ttlOf(c) : key.startsWith('collector:') ? c.collectors[key.slice('collector:'.length)] : c[key as keyof ConfigWithoutAuth];
        assert.deepEqual(actual, expected, key);
      }
    });
  }

  it('--demo=true is --demo (no credentials needed); --demo=false needs credentials like no --demo', async () => {
    assert.equal((await config(['--demo=true'])).demo, true);
    const c = await config(['--demo=false'], OAUTH_ENV);
    assert.equal(c.demo, false);
  });

  it('formatListenAddress round-trips', async () => {
    for (const text of [':10040', 'localhost:9000', '[::1]:0']) {
      const c = await config(['--demo', `--web.listen-address=${text}`]);
      assert.deepEqual(c.listen.map(formatListenAddress), [text]);
    }
  });
});

describe('durations', () => {
  const GOOD_DURATIONS: ReadonlyArray<[string, number]> = [
    ['60', 60],
    ['0', 0],
    ['0.5', 0.5],
    ['.5', 0.5],
    ['90s', 90],
    ['5m', 300],
    ['1m30s', 90],
    ['500ms', 0.5],
    ['1h', 3600],
    ['1h30m', 5400],
    ['1d', 86_400],
    ['2w', 1_209_600],
    ['1y', 31_536_000],
    ['0s', 0],
  ];
  for (const [text, seconds] of GOOD_DURATIONS) {
    it(`--cache.ttl=${text} → ${seconds}s`, async () => {
      assert.equal(ttlOf(await config(['--demo', `--cache.ttl=${text}`])), seconds);
      assert.equal(parseDuration(text), seconds);
    });
  }

  const NOT_A_DURATION = ['abc', '5x', '', 'NaN', 'Infinity', '1e3', '0x10', '30m1h', '1.5m', '5 m', ' 5m', 'm', '1'.repeat(400)];
  for (const text of NOT_A_DURATION) {
    it(`--cache.ttl=${JSON.stringify(text.slice(0, 20))} is rejected`, async () => {
      assert.equal(
        await errorOf(['--demo', `--cache.ttl=${text}`]),
        `--cache.ttl: "${text}" is not a duration (use seconds like 60, or 90s, 5m)`,
      );
      assert.equal(parseDuration(text), undefined);
    });
  }

  it('negative durations say so, also as a separate argument', async () => {
    assert.equal(await errorOf(['--demo', '--cache.ttl=-1']), '--cache.ttl: "-1" must not be negative');
    assert.equal(await errorOf(['--demo', '--cache.max-stale', '-0.5']), '--cache.max-stale: "-0.5" must not be negative');
    assert.equal(await errorOf(['--demo', '--web.timeout-offset=-5m']), '--web.timeout-offset: "-5m" must not be negative');
  });
});

/**
 * Bad inputs → the exact message. `{name}` expands to a temp path. Every message is one line,
 * names the flag or variable, and never contains a secret.
 */
const BAD: ReadonlyArray<{ argv: string[]; env?: Env; message: string }> = [
  // command-line syntax
  { argv: ['--foo'], message: 'unknown flag --foo' },
  { argv: ['--foo=1', '--bar'], message: 'unknown flag --foo' },
  { argv: ['-x'], message: 'unknown flag -x' },
  { argv: ['--cache-ttl=60'], message: 'unknown flag --cache-ttl (did you mean --cache.ttl?)' },
  { argv: ['--web.listen_address=:1'], message: 'unknown flag --web.listen_address (did you mean --web.listen-address?)' },
  { argv: ['--no-cache.ttl'], message: '--cache.ttl: needs a value (--no-cache.ttl applies only to on/off flags)' },
  { argv: ['--no-such-flag'], message: 'unknown flag --no-such-flag' },
  { argv: ['--collector.nope'], message: 'unknown flag --collector.nope' },
  { argv: ['--collector.sddcs.ttl=5m'], message: 'unknown flag --collector.sddcs.ttl' },
  { argv: ['--no-collector.sddcs=maybe'], message: '--no-collector.sddcs: "maybe" is not true or false' },
  { argv: ['--auth.client-id', 'bar', '--bar'], message: 'unknown flag --bar' },
  { argv: ['serve'], message: 'unexpected argument "serve" (flags look like --name=value; see --help)' },
  { argv: ['--demo', 'yes'], message: 'unexpected argument "yes" (flags look like --name=value; see --help)' },
  { argv: ['--', 'x'], message: 'unexpected argument "x" (flags look like --name=value; see --help)' },
  { argv: ['--demo=yes'], message: '--demo: "yes" is not true or false' },
  { argv: ['--cache.ttl=1', '--cache.ttl=2'], message: '--cache.ttl: given more than once' },
  { argv: ['--auth.client-id=a', '--auth.client-id=b'], message: '--auth.client-id: given more than once' },
  // secrets on the command line
  {
    argv: ['--auth.client-secret=hunter2'],
    message: '--auth.client-secret is not accepted: secrets on the command line leak via ps and shell history; use --auth.client-secret-file or VMC_CLIENT_SECRET',
  },
  {
    argv: ['--auth.client-secret', 'hunter2'],
    message: '--auth.client-secret is not accepted: secrets on the command line leak via ps and shell history; use --auth.client-secret-file or VMC_CLIENT_SECRET',
  },
  {
    argv: ['--demo', '--auth.api-token=hunter2'],
    message: '--auth.api-token is not accepted: secrets on the command line leak via ps and shell history; use --auth.api-token-file or VMC_API_TOKEN',
  },
  {
    argv: ['--', '--auth.api-token=hunter2'],
    message: '--auth.api-token is not accepted: secrets on the command line leak via ps and shell history; use --auth.api-token-file or VMC_API_TOKEN',
  },
  // listen address
  { argv: ['--web.listen-address=10040'], message: '--web.listen-address: "10040" is not host:port, :port or [ipv6]:port' },
  { argv: ['--web.listen-address='], message: '--web.listen-address: "" is not host:port, :port or [ipv6]:port' },
  { argv: ['--web.listen-address=a b:80'], message: '--web.listen-address: "a b:80" is not host:port, :port or [ipv6]:port' },
  { argv: ['--web.listen-address=:65536'], message: '--web.listen-address: port must be 0-65535, got ":65536"' },
  { argv: ['--web.listen-address=:'], message: '--web.listen-address: port must be 0-65535, got ":"' },
  { argv: ['--web.listen-address=localhost:http'], message: '--web.listen-address: port must be 0-65535, got "localhost:http"' },
  { argv: ['--web.listen-address=:-1'], message: '--web.listen-address: port must be 0-65535, got ":-1"' },
  { argv: ['--web.listen-address=::1:80'], message: '--web.listen-address: put an IPv6 host in brackets, like [::1]:10040, got "::1:80"' },
  { argv: ['--web.listen-address=[nope]:80'], message: '--web.listen-address: "[nope]" is not an IPv6 address' },
  // telemetry path
  { argv: ['--web.telemetry-path=metrics'], message: '--web.telemetry-path: "metrics" must start with /' },
  { argv: ['--web.telemetry-path='], message: '--web.telemetry-path: "" must start with /' },
  { argv: ['--web.telemetry-path=/'], message: '--web.telemetry-path: "/" is not allowed; use a path like /metrics' },
  { argv: ['--web.telemetry-path=/-/healthy'], message: '--web.telemetry-path: "/-/healthy" is reserved (paths under /-/ are for health checks)' },
  { argv: ['--web.telemetry-path=/a b'], message: '--web.telemetry-path: "/a b" may only contain letters, digits and / . _ ~ -' },
  { argv: ['--web.telemetry-path=/metrics/:id'], message: '--web.telemetry-path: "/metrics/:id" may only contain letters, digits and / . _ ~ -' },
  // web config file (its contents are checked when the exporter starts: test/web-config)
  { argv: ['--web.config.file='], message: '--web.config.file: must not be empty' },
  // integers
  { argv: ['--web.max-requests=-1'], message: '--web.max-requests: "-1" must not be negative' },
  { argv: ['--web.max-requests=1.5'], message: '--web.max-requests: "1.5" is not a whole number' },
  { argv: ['--web.max-requests=ten'], message: '--web.max-requests: "ten" is not a whole number' },
  { argv: ['--web.max-requests='], message: '--web.max-requests: "" is not a whole number' },
  { argv: ['--web.max-requests=1e3'], message: '--web.max-requests: "1e3" is not a whole number' },
  { argv: ['--web.max-requests=99999999999999999999'], message: '--web.max-requests: "99999999999999999999" is too large' },
  { argv: ['--vmc.concurrency=0'], message: '--vmc.concurrency: "0" must be at least 1' },
  { argv: ['--vmc.concurrency=-2'], message: '--vmc.concurrency: "-2" must not be negative' },
  // durations on other flags
  { argv: ['--vmc.timeout=0'], message: '--vmc.timeout: "0" must be greater than 0' },
  { argv: ['--vmc.timeout=0s'], message: '--vmc.timeout: "0s" must be greater than 0' },
  { argv: ['--vmc.timeout=soon'], message: '--vmc.timeout: "soon" is not a duration (use seconds like 60, or 90s, 5m)' },
  { argv: ['--web.timeout-offset=x'], message: '--web.timeout-offset: "x" is not a duration (use seconds like 60, or 90s, 5m)' },
  { argv: ['--cache.max-stale=5min'], message: '--cache.max-stale: "5min" is not a duration (use seconds like 60, or 90s, 5m)' },
  // urls
  { argv: ['--csp.url=console.cloud.vmware.com'], message: '--csp.url: "console.cloud.vmware.com" is not an absolute URL' },
  { argv: ['--vmc.url='], message: '--vmc.url: "" is not an absolute URL' },
  { argv: ['--vmc.url=ftp://vmc.vmware.com'], message: '--vmc.url: "ftp://vmc.vmware.com" must start with http:// or https://' },
  { argv: ['--vmc.url=https://user:hunter2@vmc.vmware.com'], message: '--vmc.url: must not contain a user name or password' },
  { argv: ['--vmc.url=https://vmc.vmware.com/?x=1'], message: '--vmc.url: "https://vmc.vmware.com/?x=1" must not have a query or fragment' },
  { argv: ['--csp.url=https://csp.example.com/#top'], message: '--csp.url: "https://csp.example.com/#top" must not have a query or fragment' },
  // orgs
  { argv: ['--vmc.org='], message: '--vmc.org: empty org id in ""' },
  { argv: ['--vmc.org=a,,b'], message: '--vmc.org: empty org id in "a,,b"' },
  { argv: ['--vmc.org=a b'], message: '--vmc.org: "a b" is not an org id (letters, digits, . _ -; starting with a letter or digit)' },
  { argv: ['--vmc.org=-a'], message: '--vmc.org: "-a" is not an org id (letters, digits, . _ -; starting with a letter or digit)' },
  { argv: [], env: { VMC_ORG_IDS: 'a,b,' }, message: 'VMC_ORG_IDS: empty org id in "a,b,"' },
  { argv: [], env: { VMC_ORG_IDS: 'a/b' }, message: 'VMC_ORG_IDS: "a/b" is not an org id (letters, digits, . _ -; starting with a letter or digit)' },
  // log level
  { argv: ['--log.level=verbose'], message: '--log.level: "verbose" is not one of trace, debug, info, warn, error, fatal, silent' },
  { argv: ['--log.level=INFO'], message: '--log.level: "INFO" is not one of trace, debug, info, warn, error, fatal, silent' },
];

/** Credential errors (no --demo). */
const BAD_AUTH: ReadonlyArray<{ argv: string[]; env?: Env; message: string }> = [
  {
    argv: [],
    message:
      'no credentials: set VMC_CLIENT_ID and VMC_CLIENT_SECRET (or --auth.client-id and --auth.client-secret-file), or VMC_API_TOKEN / --auth.api-token-file; or run with --demo to use the built-in simulator',
  },
  {
    argv: [],
    env: { VMC_CLIENT_ID: '', VMC_CLIENT_SECRET: '', VMC_API_TOKEN: ' ' },
    message:
      'no credentials: set VMC_CLIENT_ID and VMC_CLIENT_SECRET (or --auth.client-id and --auth.client-secret-file), or VMC_API_TOKEN / --auth.api-token-file; or run with --demo to use the built-in simulator',
  },
  {
    argv: [],
    env: { VMC_CLIENT_ID: 'id' },
    message: 'VMC_CLIENT_ID is set but the client secret is missing: set VMC_CLIENT_SECRET or --auth.client-secret-file',
  },
  {
    argv: ['--auth.client-id=id'],
    message: '--auth.client-id is set but the client secret is missing: set VMC_CLIENT_SECRET or --auth.client-secret-file',
  },
  {
    argv: [],
    env: { VMC_CLIENT_SECRET: 'hunter2' },
    message: 'VMC_CLIENT_SECRET is set but the client id is missing: set VMC_CLIENT_ID or --auth.client-id',
  },
  {
    argv: ['--auth.client-secret-file={secret}'],
    message: '--auth.client-secret-file is set but the client id is missing: set VMC_CLIENT_ID or --auth.client-id',
  },
  {
    argv: [],
    env: { ...OAUTH_ENV, VMC_API_TOKEN: 'hunter2' },
    message:
      'configure either an OAuth app (client id + secret) or an API token, not both (found VMC_CLIENT_ID, VMC_CLIENT_SECRET, VMC_API_TOKEN)',
  },
  {
    argv: ['--auth.api-token-file={token}'],
    env: { VMC_CLIENT_ID: 'id' },
    message: 'configure either an OAuth app (client id + secret) or an API token, not both (found VMC_CLIENT_ID, --auth.api-token-file)',
  },
  {
    argv: ['--auth.client-id=id', '--auth.client-secret-file={secret}', '--auth.api-token-file={token}'],
    message:
      'configure either an OAuth app (client id + secret) or an API token, not both (found --auth.client-id, --auth.client-secret-file, --auth.api-token-file)',
  },
  { argv: ['--auth.client-id='], env: { VMC_CLIENT_SECRET: 'x' }, message: '--auth.client-id: must not be empty' },
  { argv: ['--auth.client-secret-file='], env: { VMC_CLIENT_ID: 'id' }, message: '--auth.client-secret-file: must not be empty' },
  // secret files
  {
    argv: ['--auth.client-secret-file={missing}'],
    env: { VMC_CLIENT_ID: 'id' },
    message: '--auth.client-secret-file: cannot read "{missing}": no such file',
  },
  {
    argv: ['--auth.client-secret-file={empty}'],
    env: { VMC_CLIENT_ID: 'id' },
    message: '--auth.client-secret-file: "{empty}" is empty',
  },
  {
    argv: ['--auth.client-secret-file={blank}'],
    env: { VMC_CLIENT_ID: 'id' },
    message: '--auth.client-secret-file: "{blank}" is empty',
  },
  {
    // Unreadable; a directory fails for root too, unlike chmod 000.
    argv: ['--auth.api-token-file={dir}'],
    message: '--auth.api-token-file: cannot read "{dir}": is a directory',
  },
  {
    argv: ['--auth.api-token-file={missing}'],
    env: { VMC_API_TOKEN: 'hunter2' },
    message: '--auth.api-token-file: cannot read "{missing}": no such file',
  },
];

describe('bad inputs', () => {
  for (const { argv, env, message } of BAD) {
    it(`${argv.join(' ')} ${env ? JSON.stringify(env) : ''}`, async () => {
      // --demo so that credentials do not matter; the error must come from the flag.
      assert.equal(await errorOf(['--demo', ...expand(argv)], expandEnv(env)), expand([message])[0]);
    });
  }
  for (const { argv, env, message } of BAD_AUTH) {
    it(`auth: ${argv.join(' ')} ${env ? JSON.stringify(env) : ''}`, async () => {
      const got = await errorOf(expand(argv), expandEnv(env));
      assert.equal(got, expand([message])[0]);
      assert.ok(!got.includes('hunter2') && !got.includes('file-secret') && !got.includes('file-token'), got);
    });
  }

  it('never echoes a secret passed as a flag', async () => {
    for (const argv of [['--auth.client-secret=hunter2'], ['--auth.client-secret', 'hunter2'], ['--auth.api-token=hunter2', '--foo']]) {
      assert.ok(!(await errorOf(argv)).includes('hunter2'));
    }
  });

  it('permission denied (injected reader: root ignores chmod)', async () => {
    const denied = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    const message = await errorOf(['--auth.client-secret-file=/etc/vmc/secret'], { VMC_CLIENT_ID: 'id' }, {
      readFile: () => Promise.reject(denied),
    });
    assert.equal(message, '--auth.client-secret-file: cannot read "/etc/vmc/secret": permission denied');
  });

  it('--demo does not look at credentials at all', async () => {
    const result = await parse(['--demo', `--auth.client-secret-file=${file.missing}`, '--auth.api-token-file=/nope'], {
      VMC_CLIENT_ID: 'id',
      VMC_API_TOKEN: 'hunter2',
    });
    assert.equal(result.action, 'demo');
    assert.ok(!('auth' in (result.action === 'demo' ? result.config : {})));
  });

  it('--no-demo is the same as no --demo', async () => {
    assert.equal((await parse(['--no-demo'], OAUTH_ENV)).action, 'run');
  });
});

describe('credentials', () => {
  it('OAuth app from the environment', async () => {
    const auth = (await config([], OAUTH_ENV)).auth;
    assert.ok(auth?.kind === 'oauth');
    assert.equal(auth.clientId, 'env-client');
    assert.equal(auth.secretSource, 'env VMC_CLIENT_SECRET');
    assert.equal(await auth.readSecret(), 'env-secret');
  });

  it('flags win over environment variables', async () => {
    const auth = (await config(['--auth.client-id=flag-client', `--auth.client-secret-file=${file.secret}`], OAUTH_ENV)).auth;
    assert.ok(auth?.kind === 'oauth');
    assert.equal(auth.clientId, 'flag-client');
    assert.equal(auth.secretSource, `file ${file.secret}`);
    assert.equal(await auth.readSecret(), 'file-secret');
  });

  it('the env secret is the value captured at startup', async () => {
    const env: Env = { ...OAUTH_ENV };
    const auth = (await config([], env)).auth;
    env['VMC_CLIENT_SECRET'] = 'changed';
    assert.equal(await auth?.readSecret(), 'env-secret');
  });

  it('API token from the environment, trimmed', async () => {
    const auth = (await config([], { VMC_API_TOKEN: ' env-token\n' })).auth;
    assert.ok(auth?.kind === 'api-token');
    assert.equal(auth.secretSource, 'env VMC_API_TOKEN');
    assert.equal(await auth.readSecret(), 'env-token');
  });

  it('API token file wins over VMC_API_TOKEN and is trimmed', async () => {
    const auth = (await config([`--auth.api-token-file=${file.token}`], { VMC_API_TOKEN: 'env-token' })).auth;
    assert.ok(auth?.kind === 'api-token');
    assert.equal(auth.secretSource, `file ${file.token}`);
    assert.equal(await auth.readSecret(), 'file-token');
  });

  it('readSecret re-reads the file on every call', async () => {
    const path = join(dir, 'rotating');
    await writeFile(path, 'first\n');
    const auth = (await config([`--auth.client-secret-file=${path}`], { VMC_CLIENT_ID: 'id' })).auth;
    assert.ok(auth);
    assert.equal(await auth.readSecret(), 'first');
    await writeFile(path, 'second\n');
    assert.equal(await auth.readSecret(), 'second');
    await writeFile(path, '\n');
    await assert.rejects(auth.readSecret(), new ConfigError(`--auth.client-secret-file: "${path}" is empty`));
    await rm(path);
    await assert.rejects(auth.readSecret(), new ConfigError(`--auth.client-secret-file: cannot read "${path}": no such file`));
    await writeFile(path, 'third');
    assert.equal(await auth.readSecret(), 'third');
  });
});

describe('--help and --version', () => {
  const SECRET_ENV: Env = {
    VMC_CLIENT_ID: 'id-value-xyz',
    VMC_CLIENT_SECRET: 'secret-value-xyz',
    VMC_API_TOKEN: 'token-value-xyz',
    VMC_ORG_IDS: 'org-value-xyz',
  };

  it('--help lists every flag with its env variable and default, and no env values', async () => {
    const result = await parse(['--help'], SECRET_ENV);
    assert.equal(result.action, 'print');
    if (result.action !== 'print') return;
    for (const flag of FLAGS) {
      assert.ok(result.text.includes(`--${flag.name}`) || result.text.includes(`--[no-]${flag.name}`), flag.name);
      if (flag.env) assert.ok(result.text.includes(flag.env.name), flag.env.name);
      if (flag.default && flag.kind !== 'boolean') assert.ok(result.text.includes(`default: ${flag.default}`), flag.default);
    }
    assert.ok(result.text.includes('--[no-]collector.sddcs'));
    assert.ok(result.text.includes(VERSION));
    assert.ok(!result.text.includes('value-xyz'));
    assert.ok(!result.text.includes('--auth.client-secret '), 'no --auth.client-secret flag');
  });

  it('--help wins over other flags and needs no credentials', async () => {
    const result = await parse(['--cache.ttl=abc', '--version', '--help']);
    assert.equal(result.action, 'print');
    assert.ok(result.action === 'print' && result.text.includes('Usage: vmc-exporter [check | healthcheck] [flags]'));
  });

  it('-h is --help, and lists it as -h, --help', async () => {
    const result = await parse(['-h']);
    assert.equal(result.action, 'print');
    assert.ok(result.action === 'print' && result.text.includes('  -h, --help\n'));
    assert.deepEqual(await parse(['-h', '-h']), result);
  });

  it('--version prints the version', async () => {
    assert.deepEqual(await parse(['--version'], SECRET_ENV), { action: 'print', text: `vmc-exporter, version ${VERSION}` });
  });

  it('--version with build info prints revision, build date, Node.js version and platform', async () => {
    const version = { version: '1.2.3', revision: 'abc123', buildDate: '2026-06-01T12:00:00.000Z', nodeVersion: 'v20.19.0', platform: 'linux/x64' };
    assert.deepEqual(await parse(['--version'], {}, { version }), {
      action: 'print',
      text: [
        'vmc-exporter, version 1.2.3 (revision: abc123)',
        '  build date:   2026-06-01T12:00:00.000Z',
        '  node version: v20.19.0',
        '  platform:     linux/x64',
      ].join('\n'),
    });
  });
});

describe('repeatable --web.listen-address', () => {
  it('listens on each address in order; repeats are dropped', async () => {
    const c = await config(['--demo', '--web.listen-address=127.0.0.1:9100', '--web.listen-address=[::1]:9100', '--web.listen-address=127.0.0.1:9100']);
    assert.deepEqual(c.listen.map(formatListenAddress), ['127.0.0.1:9100', '[::1]:9100']);
  });

  it('a bad one of several is named', async () => {
    await assert.rejects(config(['--demo', '--web.listen-address=:1', '--web.listen-address=nope']), {
      message: '--web.listen-address: "nope" is not host:port, :port or [ipv6]:port',
    });
  });
});

describe('--log.format', () => {
  for (const format of ['json', 'logfmt']) {
    it(format, async () => assert.equal((await config(['--demo', `--log.format=${format}`])).logFormat, format));
  }
  it('anything else is refused, naming the formats', async () => {
    await assert.rejects(config(['--demo', '--log.format=text']), { message: '--log.format: "text" is not one of json, logfmt' });
  });
});

describe('commands', () => {
  it('no command serves; check checks; both need credentials unless --demo', async () => {
    assert.deepEqual(((await parse([], OAUTH_ENV)) as { command?: string }).command, 'serve');
    const check = await parse(['check', '--vmc.org=a'], OAUTH_ENV);
    assert.equal(check.action, 'run');
    assert.ok(check.action === 'run' && check.command === 'check' && check.config.orgs[0] === 'a');
    await assert.rejects(parse(['check']), { message: /^no credentials/ });
    const demo = await parse(['check', '--demo']);
    assert.ok(demo.action === 'demo' && demo.command === 'check');
  });

  it('healthcheck needs no credentials and never reads secret files', async () => {
    const reads: string[] = [];
    const readFile = (path: string) => {
      reads.push(path);
      return Promise.resolve('x');
    };
    const r = await parse(['healthcheck', '--auth.client-secret-file=/no/such/file', '--web.listen-address=:9999'], {}, { readFile });
    assert.equal(r.action, 'healthcheck');
    assert.ok(r.action === 'healthcheck' && r.flagsGiven && r.config.listen[0]?.port === 9999);
    assert.deepEqual(reads, []);
    const bare = await parse(['healthcheck'], {});
    assert.ok(bare.action === 'healthcheck' && !bare.flagsGiven);
  });

  it('a command after flags is refused with the right order', async () => {
    await assert.rejects(parse(['--demo', 'check']), { message: 'the command "check" must come first: vmc-exporter check [flags]' });
  });

  it('--healthcheck.cert-file and --healthcheck.key-file come as a pair of readable files', async () => {
    await assert.rejects(config(['--demo', `--healthcheck.cert-file=${file.secret}`]), { message: '--healthcheck.cert-file needs --healthcheck.key-file' });
    await assert.rejects(config(['--demo', `--healthcheck.key-file=${file.secret}`]), { message: '--healthcheck.key-file needs --healthcheck.cert-file' });
    await assert.rejects(config(['--demo', `--healthcheck.cert-file=${file.missing}`, `--healthcheck.key-file=${file.secret}`]), {
      message: `--healthcheck.cert-file: cannot read "${file.missing}": no such file`,
    });
    const c = await config(['--demo', `--healthcheck.cert-file=${file.secret}`, `--healthcheck.key-file=${file.token}`]);
    assert.deepEqual(c.healthcheck, { certFile: file.secret, keyFile: file.token });
  });
});
