/**
 * `/-/healthy` and `/-/ready` answer without basic auth (container health checks and
 * Kubernetes probes send no credentials), everything else still needs it, and the
 * client-certificate policy still applies to the health paths at the TLS layer.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { createApp } from '../../src/http/app.js';
import { createServer } from '../../src/http/serve.js';
import { WebConfigSource } from '../../src/web-config/index.js';
import { close, get, listen, makePki, type Pki } from '../helpers/tls-fixtures.js';

const hash = bcrypt.hashSync('s3cret-pass', 4);

async function exporterApp(file: string): Promise<http.Server> {
  const webConfig = await WebConfigSource.open(file);
  const app = createApp({
    telemetryPath: '/metrics',
    metrics: (_req, res) => void res.type('text/plain').send('vmc_up 1\n'),
    isReady: () => true,
    maxRequests: 0,
    version: 'test',
    onError: () => undefined,
    webConfig,
  });
  return createServer(app, { webConfig });
}

describe('health paths without basic auth', () => {
  let pki: Pki;
  const servers: http.Server[] = [];
  before(() => {
    pki = makePki();
  });
  after(async () => {
    for (const s of servers) await close(s);
    pki.cleanup();
  });

  test('plain HTTP with basic auth: health and readiness answer, the rest asks for credentials', async () => {
    const file = path.join(pki.dir, 'basic.yml');
    writeFileSync(file, `basic_auth_users:\n  prom: "${hash}"\n`);
    const server = await exporterApp(file);
    servers.push(server);
    const port = await listen(server);
    for (const p of ['/-/healthy', '/-/ready']) {
      const seen = await get(port, { path: p });
      assert.equal(seen.status, 200, p);
      assert.equal(seen.body, 'OK\n');
      assert.equal(seen.headers['x-content-type-options'], 'nosniff', 'security headers on health answers too');
    }
    for (const p of ['/', '/metrics', '/-/healthy/', '/-/HEALTHY', '/-/%68ealthy', '/nope']) {
      assert.equal((await get(port, { path: p })).status, 401, p);
    }
    assert.equal((await get(port, { path: '/metrics', basic: { user: 'prom', password: 's3cret-pass' } })).status, 200);
    assert.equal((await get(port, { path: '/-/healthy?x=1' })).status, 200, 'a query string does not change the path');
  });

  test('TLS with client certificates required: no certificate fails at the TLS layer, a trusted one needs no password', async () => {
    const file = path.join(pki.dir, 'mtls.yml');
    writeFileSync(
      file,
      [
        'tls_server_config:',
        `  cert_file: ${pki.servers[0].certFile}`,
        `  key_file: ${pki.servers[0].keyFile}`,
        `  client_ca_file: ${pki.ca.certFile}`,
        '  client_auth_type: RequireAndVerifyClientCert',
        'basic_auth_users:',
        `  prom: "${hash}"`,
        '',
      ].join('\n'),
    );
    const server = await exporterApp(file);
    servers.push(server);
    const port = await listen(server);
    await assert.rejects(get(port, { tls: true, ca: pki.ca.cert, path: '/-/healthy' }), 'no client certificate: the handshake fails');
    await assert.rejects(get(port, { tls: true, ca: pki.ca.cert, clientCert: pki.rogueClient, path: '/-/healthy' }), 'an untrusted one fails too');
    const seen = await get(port, { tls: true, ca: pki.ca.cert, clientCert: pki.client, path: '/-/healthy' });
    assert.equal(seen.status, 200);
    assert.equal((await get(port, { tls: true, ca: pki.ca.cert, clientCert: pki.client, path: '/metrics' })).status, 401, 'the metrics still need the password');
  });
});
