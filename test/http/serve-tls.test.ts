import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { ManualClock } from '../../src/lib/clock.js';
import { ConfigError } from '../../src/lib/errors.js';
import { DEFAULT_SERVER_LIMITS, createServer } from '../../src/http/serve.js';
import { RecordingLogger, close, get, listen, makePki, okApp, replaceFile, serverFor, type Pki } from '../helpers/tls-fixtures.js';

let pki: Pki;
let n = 0;

before(() => {
  pki = makePki();
});
after(() => pki.cleanup());

/** A fresh dir with its own copies of server1's cert and key, and a web.yml. */
function site(tlsExtra: string[] = [], rest: string[] = []): { dir: string; file: string; cert: string; key: string } {
  const dir = path.join(pki.dir, `site-${++n}`);
  mkdirSync(dir);
  const cert = path.join(dir, 'tls.crt');
  const key = path.join(dir, 'tls.key');
  replaceFile(cert, pki.servers[0].cert);
  replaceFile(key, pki.servers[0].key);
  const file = path.join(dir, 'web.yml');
  writeFileSync(file, ['tls_server_config:', '  cert_file: tls.crt', '  key_file: tls.key', ...tlsExtra, ...rest, ''].join('\n'));
  return { dir, file, cert, key };
}

async function withServer<T>(server: http.Server | https.Server, fn: (port: number) => Promise<T>): Promise<T> {
  const port = await listen(server);
  try {
    return await fn(port);
  } finally {
    await close(server);
  }
}

describe('createServer without TLS', () => {
  it('serves plain HTTP without a web config, with the server limits set', async () => {
    const server = createServer(okApp);
    assert.ok(server instanceof http.Server);
    assert.ok(!(server instanceof https.Server));
    assert.equal(server.headersTimeout, DEFAULT_SERVER_LIMITS.headersTimeoutMs);
    assert.equal(server.requestTimeout, DEFAULT_SERVER_LIMITS.requestTimeoutMs);
    assert.equal(server.keepAliveTimeout, DEFAULT_SERVER_LIMITS.keepAliveTimeoutMs);
    await withServer(server, async (port) => {
      const r = await get(port);
      assert.equal(r.status, 200);
      assert.equal(r.body, 'ok');
    });
  });

  it('serves plain HTTP with the configured headers when the file has no tls_server_config', async () => {
    const file = path.join(pki.dir, `plain-${++n}.yml`);
    writeFileSync(file, 'http_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n');
    const app = express();
    app.get('/', (_req, res) => {
      res.type('text/plain').send('ok');
    });
    const server = await serverFor(file, app);
    assert.ok(!(server instanceof https.Server));
    await withServer(server, async (port) => {
      const r = await get(port);
      assert.equal(r.status, 200);
      assert.equal(r.body, 'ok');
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
    });
  });

  it('answers 408 to a client that never finishes its headers', async () => {
    const server = createServer(okApp, { limits: { headersTimeoutMs: 50, requestTimeoutMs: 100, connectionsCheckingIntervalMs: 10 } });
    await withServer(server, async (port) => {
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\n'));
        let out = '';
        socket.on('data', (d: Buffer) => (out += d.toString()));
        socket.on('close', () => resolve(out));
        socket.on('error', reject);
      });
      assert.match(reply, /^HTTP\/1\.1 408 /);
    });
  });

  it('rejects an invalid web config with its ConfigError', async () => {
    const file = path.join(pki.dir, `bad-${++n}.yml`);
    writeFileSync(file, 'tls_server_config:\n  cert_file: tls.crt\n');
    await assert.rejects(serverFor(file, okApp), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.message, `--web.config.file ${file}: tls_server_config.key_file: missing; set key_file or key`);
      return true;
    });
  });
});

describe('createServer with TLS', () => {
  it('serves HTTPS that verifies against the CA for IP 127.0.0.1', async () => {
    const { file } = site();
    const server = await serverFor(file, okApp);
    assert.ok(server instanceof https.Server);
    await withServer(server, async (port) => {
      const r = await get(port, { tls: true, ca: pki.ca.cert });
      assert.equal(r.status, 200);
      assert.equal(r.body, 'ok');
      assert.equal(r.serial, '5E01');
      // Without the CA the client refuses the self-made chain.
      await assert.rejects(get(port, { tls: true }), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    });
  });

  it('RequireAndVerifyClientCert: no or untrusted client certificate fails the handshake, a CA-signed one works', async () => {
    const { file } = site(['  client_auth_type: RequireAndVerifyClientCert', `  client_ca_file: ${pki.ca.certFile}`]);
    const server = await serverFor(file, okApp);
    await withServer(server, async (port) => {
      await assert.rejects(get(port, { tls: true, ca: pki.ca.cert }));
      await assert.rejects(get(port, { tls: true, ca: pki.ca.cert, clientCert: pki.rogueClient }));
      const r = await get(port, { tls: true, ca: pki.ca.cert, clientCert: pki.client });
      assert.equal(r.status, 200);
      assert.equal(r.body, 'ok');
    });
  });

  it('VerifyClientCertIfGiven: no certificate or a trusted one pass, an untrusted one gets 403', async () => {
    const { file } = site(['  client_auth_type: VerifyClientCertIfGiven', '  client_ca_file: ../ca.crt']);
    const server = await serverFor(file, okApp);
    await withServer(server, async (port) => {
      assert.equal((await get(port, { tls: true, ca: pki.ca.cert })).status, 200);
      assert.equal((await get(port, { tls: true, ca: pki.ca.cert, clientCert: pki.client })).status, 200);
      const r = await get(port, { tls: true, ca: pki.ca.cert, clientCert: pki.rogueClient });
      assert.equal(r.status, 403);
      assert.equal(r.body, 'Forbidden: client certificate not trusted\n');
    });
  });

  it('RequireAnyClientCert: any certificate passes, none gets 403', async () => {
    const { file } = site(['  client_auth_type: RequireAnyClientCert']);
    const server = await serverFor(file, okApp);
    await withServer(server, async (port) => {
      assert.equal((await get(port, { tls: true, ca: pki.ca.cert, clientCert: pki.rogueClient })).status, 200);
      const r = await get(port, { tls: true, ca: pki.ca.cert });
      assert.equal(r.status, 403);
      assert.equal(r.body, 'Forbidden: a client certificate is required\n');
    });
  });

  it('picks up a renewed certificate on new connections without a restart, keeping the last good one while broken', async () => {
    const { file, cert, key } = site();
    const clock = new ManualClock();
    const logger = new RecordingLogger();
    const server = await serverFor(file, okApp, { clock, logger });
    await withServer(server, async (port) => {
      const seen = async (): Promise<string | undefined> => (await get(port, { tls: true, ca: pki.ca.cert })).serial;
      assert.equal(await seen(), '5E01');

      replaceFile(cert, pki.servers[1].cert);
      replaceFile(key, pki.servers[1].key);
      assert.equal(await seen(), '5E01', 'files are looked at no more than once per second');
      clock.advance(1000);
      assert.equal(await seen(), '5E02');

      // A half-done renewal (new cert, old key) keeps serving the last good pair.
      replaceFile(cert, pki.servers[2].cert);
      clock.advance(1000);
      assert.equal(await seen(), '5E02');
      clock.advance(1000);
      assert.equal(await seen(), '5E02');
      assert.equal(logger.warnings.length, 1);
      assert.match(JSON.stringify(logger.warnings[0]?.obj), /tls_server_config\.key_file: does not match cert_file/);

      replaceFile(key, pki.servers[2].key);
      clock.advance(1000);
      assert.equal(await seen(), '5E03');
      assert.equal(logger.warnings.length, 1);
    });
  });

  it('applies a changed client_auth_type to new connections', async () => {
    const { file } = site();
    const clock = new ManualClock();
    const server = await serverFor(file, okApp, { clock });
    await withServer(server, async (port) => {
      assert.equal((await get(port, { tls: true, ca: pki.ca.cert })).status, 200);
      replaceFile(
        file,
        [
          'tls_server_config:',
          '  cert_file: tls.crt',
          '  key_file: tls.key',
          '  client_auth_type: RequireAndVerifyClientCert',
          `  client_ca_file: ${pki.ca.certFile}`,
          '',
        ].join('\n'),
      );
      clock.advance(1000);
      await assert.rejects(get(port, { tls: true, ca: pki.ca.cert }));
      assert.equal((await get(port, { tls: true, ca: pki.ca.cert, clientCert: pki.client })).status, 200);
    });
  });

  it('honours min_version', async () => {
    const { file } = site(['  min_version: TLS13']);
    const server = await serverFor(file, okApp);
    await withServer(server, async (port) => {
      const r = await new Promise<string>((resolve, reject) => {
        const req = https.get({ host: '127.0.0.1', port, ca: pki.ca.cert, agent: false, maxVersion: 'TLSv1.2' }, () =>
          resolve('connected'),
        );
        req.on('error', (err: NodeJS.ErrnoException) => resolve(err.message));
        req.setTimeout(5000, () => reject(new Error('timeout')));
      });
      assert.match(r, /alert protocol version/);
    });
  });
});
