import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { ManualClock } from '../../src/lib/clock.js';
import { ConfigError } from '../../src/lib/errors.js';
import { WebConfigSource, loadWebConfig } from '../../src/web-config/index.js';
import { RecordingLogger, makePki, replaceFile, type Pki } from '../helpers/tls-fixtures.js';

let pki: Pki;
let n = 0;
const hash = bcrypt.hashSync('s3cret', 4);

/** Writes a config file into the PKI dir (so relative paths name the fixtures). */
function writeConfig(text: string): string {
  const file = path.join(pki.dir, `web-${++n}.yml`);
  writeFileSync(file, text);
  return file;
}

before(() => {
  pki = makePki();
  writeFileSync(path.join(pki.dir, 'garbage.pem'), 'hello, not PEM\n');
  mkdirSync(path.join(pki.dir, 'adir'));
  execFileSync(
    'openssl',
    ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-in', pki.servers[0].keyFile, '-out', 'encrypted.key', '-passout', 'pass:pw'],
    { cwd: pki.dir, stdio: 'ignore' },
  );
});
after(() => pki.cleanup());

describe('loadWebConfig', () => {
  it('loads TLS, headers and users, resolving paths against the file directory', async () => {
    const file = writeConfig(
      [
        'tls_server_config:',
        '  cert_file: server1.crt',
        '  key_file: ./server1.key',
        '  client_auth_type: RequireAndVerifyClientCert',
        `  client_ca_file: ${pki.ca.certFile}`,
        '  max_version: TLS13',
        'http_server_config:',
        '  http2: false',
        '  headers:',
        '    X-Frame-Options: deny',
        '    Strict-Transport-Security: max-age=31536000',
        '    X-XSS-Protection: ""',
        'basic_auth_users:',
        `  alice: ${hash}`,
        '',
      ].join('\n'),
    );
    const c = await loadWebConfig(file);
    assert.equal(c.path, file);
    assert.deepEqual(c.files, [file, pki.servers[0].certFile, pki.servers[0].keyFile, pki.ca.certFile]);
    assert.ok(c.tls);
    assert.equal(c.tls.certFile, pki.servers[0].certFile);
    assert.equal(c.tls.keyFile, pki.servers[0].keyFile);
    assert.equal(c.tls.clientCaFile, pki.ca.certFile);
    assert.equal(c.tls.clientAuthType, 'RequireAndVerifyClientCert');
    assert.equal(c.tls.minVersion, 'TLS12');
    assert.equal(c.tls.maxVersion, 'TLS13');
    assert.equal(c.tls.certificate.serialNumber, '5E01');
    const opts = c.tls.secureContextOptions();
    assert.equal(opts.minVersion, 'TLSv1.2');
    assert.equal(opts.maxVersion, 'TLSv1.3');
    assert.equal(opts.cert, pki.servers[0].cert);
    assert.equal(c.http.http2, false);
    assert.deepEqual(
      [...c.http.headers],
      [
        ['X-Frame-Options', 'deny'],
        ['Strict-Transport-Security', 'max-age=31536000'],
      ],
    );
    assert.deepEqual([...(c.users ?? [])], [['alice', hash]]);
  });

  it('does not print key material when the config is logged', async () => {
    const file = writeConfig('tls_server_config:\n  cert_file: server1.crt\n  key_file: server1.key\n');
    const c = await loadWebConfig(file);
    assert.doesNotMatch(JSON.stringify(c), /PRIVATE KEY/);
  });

  it('treats an empty file as plain HTTP without authentication', async () => {
    const c = await loadWebConfig(writeConfig(''));
    assert.equal(c.tls, undefined);
    assert.equal(c.users, undefined);
    assert.equal(c.http.http2, true);
    assert.equal(c.http.headers.size, 0);
  });

  it('accepts inline cert, key and client_ca', async () => {
    const indent = (pem: string): string => pem.trim().split('\n').map((l) => `    ${l}`).join('\n');
    const file = writeConfig(
      [
        'tls_server_config:',
        '  cert: |',
        indent(pki.servers[1].cert),
        '  key: |',
        indent(pki.servers[1].key),
        '  client_ca: |',
        indent(pki.ca.cert),
        '  client_auth_type: VerifyClientCertIfGiven',
        '',
      ].join('\n'),
    );
    const c = await loadWebConfig(file);
    assert.equal(c.tls?.certFile, undefined);
    assert.equal(c.tls?.hasClientCa, true);
    assert.equal(c.tls?.certificate.serialNumber, '5E02');
    assert.deepEqual(c.files, [file]);
  });

  it('maps cipher_suites and curve_preferences to OpenSSL names (TLS 1.3 suites ignored, as in Go)', async () => {
    const file = writeConfig(
      [
        'tls_server_config:',
        '  cert_file: server1.crt',
        '  key_file: server1.key',
        '  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256]',
        '  curve_preferences: [X25519, CurveP256]',
        '  prefer_server_cipher_suites: false',
        '',
      ].join('\n'),
    );
    const opts = (await loadWebConfig(file)).tls?.secureContextOptions();
    assert.equal(opts?.ciphers, 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305');
    assert.equal(opts?.ecdhCurve, 'X25519:P-256');
    assert.equal(opts?.honorCipherOrder, false);
  });

  it('uses the injected readFile', async () => {
    const read: string[] = [];
    const c = await loadWebConfig('/virtual/web.yml', async (p) => {
      read.push(p);
      return Buffer.from(`basic_auth_users:\n  bob: "${hash}"\n`);
    });
    assert.deepEqual(read, ['/virtual/web.yml']);
    assert.equal(c.users?.get('bob'), hash);
  });

  describe('rejects broken files with one line naming the file and the field', () => {
    const PW = 'plain-text-password';
    // [name, YAML (or undefined = the file does not exist), expected message after "--web.config.file <file>: "]
    const cases: Array<[string, string | undefined, (dir: string) => string]> = [
      ['invalid YAML', 'tls_server_config: [\n', () => 'invalid YAML at line 2, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]'],
      ['duplicate key', `basic_auth_users:\n  a: ${hash}\n  a: ${hash}\n`, () => 'invalid YAML at line 3, column 3: Map keys must be unique'],
      ['two documents', 'basic_auth_users: {}\n---\nfoo: 1\n', () => 'invalid YAML at line 2, column 1: only one YAML document is allowed'],
      ['top level not a mapping', '- a\n', () => 'the top level must be a mapping'],
      ['unknown top-level key', 'tls_config: {}\n', () => 'tls_config: unknown field'],
      ['rate_limit', 'rate_limit:\n  interval: 1s\n', () => 'rate_limit: not supported by vmc-exporter'],
      ['section not a mapping', 'tls_server_config: yes please\n', () => 'tls_server_config: must be a mapping'],
      ['unknown tls key', 'tls_server_config:\n  cert_file: server1.crt\n  keyfile: server1.key\n', () => 'tls_server_config.keyfile: unknown field'],
      ['client_allowed_sans', 'tls_server_config:\n  client_allowed_sans: [a]\n', () => 'tls_server_config.client_allowed_sans: not supported by vmc-exporter'],
      ['cert without key', 'tls_server_config:\n  cert_file: server1.crt\n', () => 'tls_server_config.key_file: missing; set key_file or key'],
      ['key without cert', 'tls_server_config:\n  key_file: server1.key\n', () => 'tls_server_config.cert_file: missing; set cert_file or cert'],
      ['only versions', 'tls_server_config:\n  min_version: TLS13\n', () => 'tls_server_config.cert_file: missing; set cert_file or cert'],
      ['cert and cert_file', 'tls_server_config:\n  cert: x\n  cert_file: server1.crt\n  key_file: server1.key\n', () => 'tls_server_config.cert: cannot be used together with cert_file'],
      ['cert_file not a string', 'tls_server_config:\n  cert_file: 42\n  key_file: server1.key\n', () => 'tls_server_config.cert_file: must be a string'],
      ['cert_file missing on disk', 'tls_server_config:\n  cert_file: nope.crt\n  key_file: server1.key\n', (d) => `tls_server_config.cert_file: no such file: ${d}/nope.crt`],
      ['key_file a directory', 'tls_server_config:\n  cert_file: server1.crt\n  key_file: adir\n', (d) => `tls_server_config.key_file: is a directory: ${d}/adir`],
      ['cert_file not PEM', 'tls_server_config:\n  cert_file: garbage.pem\n  key_file: server1.key\n', (d) => `tls_server_config.cert_file: not a PEM certificate: ${d}/garbage.pem`],
      ['cert_file is a key', 'tls_server_config:\n  cert_file: server1.key\n  key_file: server1.key\n', (d) => `tls_server_config.cert_file: not a PEM certificate: ${d}/server1.key`],
      ['key_file not PEM', 'tls_server_config:\n  cert_file: server1.crt\n  key_file: garbage.pem\n', (d) => `tls_server_config.key_file: not a PEM private key: ${d}/garbage.pem`],
      ['key_file encrypted', 'tls_server_config:\n  cert_file: server1.crt\n  key_file: encrypted.key\n', (d) => `tls_server_config.key_file: encrypted private keys are not supported: ${d}/encrypted.key`],
      ['key not matching cert', 'tls_server_config:\n  cert_file: server1.crt\n  key_file: server2.key\n', () => 'tls_server_config.key_file: does not match cert_file'],
      ['bad client_auth_type', 'tls_server_config:\n  cert_file: server1.crt\n  key_file: server1.key\n  client_auth_type: Always\n', () => 'tls_server_config.client_auth_type: "Always" is not one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert'],
      ['verify without CA', 'tls_server_config:\n  cert_file: server1.crt\n  key_file: server1.key\n  client_auth_type: RequireAndVerifyClientCert\n', () => 'tls_server_config.client_ca_file: required when client_auth_type is RequireAndVerifyClientCert'],
      ['verify-if-given without CA', 'tls_server_config:\n  cert_file: server1.crt\n  key_file: server1.key\n  client_auth_type: VerifyClientCertIfGiven\n', () => 'tls_server_config.client_ca_file: required when client_auth_type is VerifyClientCertIfGiven'],
      ['CA without client auth', 'tls_server_config:\n  cert_file: server1.crt\n  key_file: server1.key\n  client_ca_file: ca.crt\n', () => 'tls_server_config.client_ca_file: set but client_auth_type is NoClientCert'],
      ['CA file not PEM', 'tls_server_config:\n  cert_file: server1.crt\n  key_file: server1.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: garbage.pem\n', (d) => `tls_server_config.client_ca_file: no valid PEM certificates found: ${d}/garbage.pem`],
      ['CA file missing', 'tls_server_config:\n  cert_file: server1.crt\n  key_file: server1.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: /nonexistent/ca.crt\n', () => 'tls_server_config.client_ca_file: no such file: /nonexistent/ca.crt'],
      ['bad min_version', 'tls_server_config:\n  cert_file: server1.crt\n  key_file: server1.key\n  min_version: TLS14\n', () => 'tls_server_config.min_version: "TLS14" is not one of TLS10, TLS11, TLS12, TLS13'],
      ['bad max_version', 'tls_server_config:\n  cert_file: server1.crt\n  key_file: server1.key\n  max_version: 1.3\n', () => 'tls_server_config.max_version: must be a string'],
      ['min above max', 'tls_server_config:\n  cert_file: server1.crt\n  key_file: server1.key\n  min_version: TLS13\n  max_version: TLS12\n', () => 'tls_server_config.min_version: TLS13 is above max_version TLS12'],
      ['unknown cipher', 'tls_server_config:\n  cert_file: server1.crt\n  key_file: server1.key\n  cipher_suites: [TLS_AES_128_GCM_SHA256, RC4]\n', () => 'tls_server_config.cipher_suites[1]: unknown cipher suite "RC4"'],
      ['unknown curve', 'tls_server_config:\n  cert_file: server1.crt\n  key_file: server1.key\n  curve_preferences: [P-256]\n', () => 'tls_server_config.curve_preferences[0]: unknown curve "P-256" (one of CurveP256, CurveP384, CurveP521, X25519)'],
      ['prefer_server_cipher_suites not bool', 'tls_server_config:\n  cert_file: server1.crt\n  key_file: server1.key\n  prefer_server_cipher_suites: "yes"\n', () => 'tls_server_config.prefer_server_cipher_suites: must be true or false'],
      ['user with a plain password', `basic_auth_users:\n  alice: ${PW}\n`, () => 'basic_auth_users.alice: not a bcrypt hash'],
      ['user with a truncated hash', `basic_auth_users:\n  bob: "${hash.slice(0, -1)}"\n`, () => 'basic_auth_users.bob: not a bcrypt hash'],
      ['user without a hash', 'basic_auth_users:\n  carol:\n', () => 'basic_auth_users.carol: not a bcrypt hash'],
      ['users not a mapping', 'basic_auth_users: [alice]\n', () => 'basic_auth_users: must be a mapping of user name to bcrypt hash'],
      ['unknown http key', 'http_server_config:\n  http3: true\n', () => 'http_server_config.http3: unknown field'],
      ['http2 not bool', 'http_server_config:\n  http2: sometimes\n', () => 'http_server_config.http2: must be true or false'],
      ['unknown header', 'http_server_config:\n  headers:\n    X-Powered-By: me\n', () => 'http_server_config.headers.X-Powered-By: cannot be configured (allowed: Content-Security-Policy, Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options, X-XSS-Protection)'],
      ['bad X-Frame-Options', 'http_server_config:\n  headers:\n    X-Frame-Options: allow-from x\n', () => 'http_server_config.headers.X-Frame-Options: must be one of deny, sameorigin'],
    ];

    it('missing file: the same message as for a flag naming an unreadable file', async () => {
      const file = path.join(pki.dir, 'does-not-exist.yml');
      await assert.rejects(loadWebConfig(file), new ConfigError(`--web.config.file: cannot read "${file}": no such file`));
    });

    for (const [name, yaml, expected] of cases) {
      it(name, async () => {
        const file = yaml === undefined ? path.join(pki.dir, 'does-not-exist.yml') : writeConfig(yaml);
        await assert.rejects(loadWebConfig(file), (err: unknown) => {
          assert.ok(err instanceof ConfigError);
          assert.equal(err.code, 'CONFIG');
          assert.equal(err.message, `--web.config.file ${file}: ${expected(pki.dir)}`);
          assert.doesNotMatch(err.message, /\$2[aby]\$|-----BEGIN|plain-text-password|\n/);
          return true;
        });
      });
    }
  });
});

describe('WebConfigSource', () => {
  it('an emptied file keeps the users and warns; a file without users turns basic auth off; reload() looks at once', async () => {
    const file = writeConfig(`basic_auth_users:\n  alice: "${hash}"\n`);
    const clock = new ManualClock();
    const logger = new RecordingLogger();
    const source = await WebConfigSource.open(file, { clock, logger });
    for (const empty of ['', '\n  \n', '# all commented out\n']) {
      replaceFile(file, empty);
      await source.reload();
      assert.deepEqual([...(source.current().users?.keys() ?? [])], ['alice'], JSON.stringify(empty));
    }
    assert.equal(logger.warnings.length, 1, 'warned once for the same problem');
    assert.match(JSON.stringify(logger.warnings[0]?.obj), /the file is empty/);
    replaceFile(file, 'basic_auth_users: {}\n');
    await source.reload();
    assert.equal(source.current().users?.size ?? 0, 0, 'a valid file that says so turns auth off');
  });

  it('an empty file at startup is a configuration without TLS or users', async () => {
    const source = await WebConfigSource.open(writeConfig(''));
    assert.equal(source.current().tls, undefined);
    assert.equal(source.current().users, undefined);
  });

  it('looks at the files at most once per interval and picks up changed users', async () => {
    const file = writeConfig(`basic_auth_users:\n  alice: "${hash}"\n`);
    const clock = new ManualClock();
    const source = await WebConfigSource.open(file, { clock });
    assert.equal(source.poll(), undefined);
    replaceFile(file, `basic_auth_users:\n  bob: "${hash}"\n`);
    clock.advance(999);
    assert.equal(source.poll(), undefined);
    assert.deepEqual([...(source.current().users?.keys() ?? [])], ['alice']);
    clock.advance(1);
    await source.poll();
    assert.deepEqual([...(source.current().users?.keys() ?? [])], ['bob']);
  });

  it('keeps the last good configuration while a renewal is broken, warning once per problem', async () => {
    const dir = path.join(pki.dir, 'renew-source');
    mkdirSync(dir);
    const cert = path.join(dir, 'tls.crt');
    const key = path.join(dir, 'tls.key');
    replaceFile(cert, pki.servers[0].cert);
    replaceFile(key, pki.servers[0].key);
    const file = path.join(dir, 'web.yml');
    writeFileSync(file, 'tls_server_config:\n  cert_file: tls.crt\n  key_file: tls.key\n');
    const clock = new ManualClock();
    const logger = new RecordingLogger();
    const source = await WebConfigSource.open(file, { clock, logger });
    const reloads: string[] = [];
    source.onReload((next, prev) => reloads.push(`${prev.tls?.certificate.serialNumber}->${next.tls?.certificate.serialNumber}`));

    // The first due poll re-reads once (files read at start-up had no prior stat) — quietly.
    clock.advance(1000);
    await source.poll();
    assert.equal(logger.infos.length, 0);

    replaceFile(cert, pki.servers[1].cert); // new cert, old key: mismatch
    clock.advance(1000);
    await source.poll();
    clock.advance(1000);
    await source.poll();
    assert.equal(source.current().tls?.certificate.serialNumber, '5E01');
    assert.equal(logger.warnings.length, 1);
    assert.equal(logger.warnings[0]?.msg, 'web config reload failed; keeping the last good configuration');
    assert.deepEqual(logger.warnings[0]?.obj, {
      file,
      err: `--web.config.file ${file}: tls_server_config.key_file: does not match cert_file`,
    });

    replaceFile(key, pki.servers[1].key);
    clock.advance(1000);
    await source.poll();
    assert.equal(source.current().tls?.certificate.serialNumber, '5E02');
    assert.deepEqual(reloads.slice(-1), ['5E01->5E02']);
    assert.equal(logger.infos.at(-1)?.msg, 'web config reloaded');
    assert.equal(logger.warnings.length, 1);
  });

  it('refuses to switch between HTTP and HTTPS without a restart', async () => {
    const file = writeConfig(`basic_auth_users:\n  alice: "${hash}"\n`);
    const clock = new ManualClock();
    const logger = new RecordingLogger();
    const source = await WebConfigSource.open(file, { clock, logger });
    replaceFile(file, 'tls_server_config:\n  cert_file: server1.crt\n  key_file: server1.key\n');
    clock.advance(1000);
    await source.poll();
    assert.equal(source.current().tls, undefined);
    assert.deepEqual(logger.warnings.map((w) => w.obj), [
      { file, err: `--web.config.file ${file}: tls_server_config: switching between HTTP and HTTPS needs a restart` },
    ]);
  });

  it('fails to open a broken file with the ConfigError of loadWebConfig', async () => {
    const file = writeConfig('nonsense: 1\n');
    await assert.rejects(WebConfigSource.open(file), { message: `--web.config.file ${file}: nonsense: unknown field` });
  });

  it('builds TLS contexts Node accepts', async () => {
    const file = writeConfig('tls_server_config:\n  cert_file: server1.crt\n  key_file: server1.key\n  min_version: TLS13\n');
    const c = await loadWebConfig(file);
    assert.ok(tls.createSecureContext(c.tls?.secureContextOptions()));
  });
});
