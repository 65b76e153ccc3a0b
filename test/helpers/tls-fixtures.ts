/**
 * Test fixtures for the web-config tests: a throw-away PKI made with the `openssl` CLI in a
 * temp dir, and small HTTP(S) client helpers over real loopback sockets.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { edge } from '../../src/http/app.js';
import type { BasicAuthOptions } from '../../src/http/basic-auth.js';
import { createServer, type ServerLimits } from '../../src/http/serve.js';
import type { Clock } from '../../src/lib/clock.js';
import { WebConfigSource, type WebLogger } from '../../src/web-config/index.js';
import type tls from 'node:tls';

/** A key pair with a certificate, as file paths and PEM text. */
export interface Issued {
  /** Path of the PEM certificate. */
  readonly certFile: string;
  /** Path of the PEM private key. */
  readonly keyFile: string;
  /** PEM certificate. */
  readonly cert: string;
  /** PEM private key. */
  readonly key: string;
  /** Serial number in upper-case hex, as `X509Certificate#serialNumber` prints it. */
  readonly serial: string;
}

/** Everything the tests need. */
export interface Pki {
  /** The temp dir; removed by {@link Pki.cleanup}. */
  readonly dir: string;
  /** The trusted CA. */
  readonly ca: Issued;
  /** Server certificates for IP 127.0.0.1, signed by the CA, with distinct serials. */
  readonly servers: readonly [Issued, Issued, Issued];
  /** A client certificate signed by the CA. */
  readonly client: Issued;
  /** A client certificate from an unrelated CA. */
  readonly rogueClient: Issued;
  /** Removes the temp dir. */
  cleanup(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function issue(dir: string, name: string, serial: string, signer: { cert: string; key: string } | undefined, ext: string): Issued {
  const keyFile = path.join(dir, `${name}.key`);
  const certFile = path.join(dir, `${name}.crt`);
  const extFile = path.join(dir, `${name}.ext`);
  writeFileSync(extFile, `${ext}\n`);
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyFile], dir);
  if (signer === undefined) {
    openssl(
      ['req', '-x509', '-new', '-key', keyFile, '-subj', `/CN=${name}`, '-days', '2', '-set_serial', `0x${serial}`, '-out', certFile, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
      dir,
    );
  } else {
    const csr = path.join(dir, `${name}.csr`);
    openssl(['req', '-new', '-key', keyFile, '-subj', `/CN=${name}`, '-out', csr], dir);
    openssl(
      ['x509', '-req', '-in', csr, '-CA', signer.cert, '-CAkey', signer.key, '-set_serial', `0x${serial}`, '-days', '2', '-extfile', extFile, '-out', certFile],
      dir,
    );
  }
  return {
    certFile,
    keyFile,
    cert: readFileSync(certFile, 'utf8'),
    key: readFileSync(keyFile, 'utf8'),
    serial,
  };
}

/**
 * Creates the PKI in a fresh temp dir (EC P-256 keys; a few hundred ms).
 *
 * @returns the PKI
 */
export function makePki(): Pki {
  const dir = mkdtempSync(path.join(tmpdir(), 'vmc-web-config-'));
  const ca = issue(dir, 'ca', '0CA1', undefined, '');
  const caSigner = { cert: ca.certFile, key: ca.keyFile };
  const serverExt = 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE';
  const servers = [
    issue(dir, 'server1', '5E01', caSigner, serverExt),
    issue(dir, 'server2', '5E02', caSigner, serverExt),
    issue(dir, 'server3', '5E03', caSigner, serverExt),
  ] as const;
  const clientExt = 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE';
  const client = issue(dir, 'client', 'C1', caSigner, clientExt);
  const rogueCa = issue(dir, 'rogue-ca', '0BAD', undefined, '');
  const rogueClient = issue(dir, 'rogue-client', 'BAD1', { cert: rogueCa.certFile, key: rogueCa.keyFile }, clientExt);
  return {
    dir,
    ca,
    servers,
    client,
    rogueClient,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * Replaces a file atomically (write to a temp name, rename), like certbot or a Kubernetes
 * secret update would.
 *
 * @param file - target path
 * @param content - new content
 */
export function replaceFile(file: string, content: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

/** What a test request saw. */
export interface Seen {
  /** HTTP status. */
  readonly status: number;
  /** Response body. */
  readonly body: string;
  /** Response headers. */
  readonly headers: http.IncomingHttpHeaders;
  /** Serial of the server certificate (HTTPS only). */
  readonly serial: string | undefined;
}

/** Options of {@link get}. */
export interface GetOptions {
  /** Use HTTPS. */
  readonly tls?: boolean;
  /** CA to trust (HTTPS). */
  readonly ca?: string;
  /** Client certificate and key (HTTPS). */
  readonly clientCert?: { cert: string; key: string };
  /** `Authorization` header value. */
  readonly authorization?: string;
  /** `user:password` for Basic auth. */
  readonly basic?: { user: string; password: string };
  /** Request path. @default `/` */
  readonly path?: string;
}

/**
 * One GET over a fresh connection (no agent, so no pooled sockets or TLS sessions).
 *
 * @param port - server port on 127.0.0.1
 * @param opts - protocol, trust, client certificate, credentials
 * @returns status, body, headers and certificate serial
 */
export function get(port: number, opts: GetOptions = {}): Promise<Seen> {
  const headers: Record<string, string> = {};
  if (opts.authorization !== undefined) headers['authorization'] = opts.authorization;
  if (opts.basic !== undefined) {
    headers['authorization'] = `Basic ${Buffer.from(`${opts.basic.user}:${opts.basic.password}`).toString('base64')}`;
  }
  const common = { host: '127.0.0.1', port, path: opts.path ?? '/', agent: false as const, headers };
  return new Promise((resolve, reject) => {
    const onResponse = (res: http.IncomingMessage): void => {
      const socket = res.socket as tls.TLSSocket;
      const serial = opts.tls === true ? socket.getPeerX509Certificate()?.serialNumber : undefined;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers, serial }),
      );
      res.on('error', reject);
    };
    const req =
      opts.tls === true
        ? https.get(
            {
              ...common,
              ...(opts.ca !== undefined ? { ca: opts.ca } : {}),
              ...(opts.clientCert !== undefined ? opts.clientCert : {}),
            },
            onResponse,
          )
        : http.get(common, onResponse);
    req.on('error', reject);
  });
}

/**
 * Starts a server on 127.0.0.1:0.
 *
 * @param server - the server
 * @returns its port
 */
export async function listen(server: http.Server | https.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/**
 * Stops a server, closing idle keep-alive connections.
 *
 * @param server - the server
 */
export async function close(server: http.Server | https.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A tiny app: 200 `ok`. */
export function okApp(_req: http.IncomingMessage, res: http.ServerResponse): void {
  res.setHeader('Content-Type', 'text/plain');
  res.end('ok');
}

/** A logger that records calls. */
export class RecordingLogger {
  /** Recorded warnings. */
  readonly warnings: Array<{ obj: object; msg: string }> = [];
  /** Recorded info lines. */
  readonly infos: Array<{ obj: object; msg: string }> = [];

  /** Records a warning. */
  warn(obj: object, msg: string): void {
    this.warnings.push({ obj, msg });
  }

  /** Records an info line. */
  info(obj: object, msg: string): void {
    this.infos.push({ obj, msg });
  }
}

/** Options of {@link serverFor}. */
export interface ServerForOptions {
  readonly clock?: Clock;
  readonly logger?: WebLogger;
  readonly limits?: Partial<ServerLimits>;
  readonly basicAuth?: BasicAuthOptions;
}

/**
 * The exporter's HTTP edge around a test handler: loads `file` as `--web.config.file`
 * (throws its ConfigError), puts the edge middleware (headers, client certificates, basic
 * auth) in front of `handler`, and creates the server (HTTPS when the file says so).
 */
export async function serverFor(file: string, handler: http.RequestListener, opts: ServerForOptions = {}): Promise<http.Server | https.Server> {
  const webConfig = await WebConfigSource.open(file, {
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  const app = express();
  app.use(edge(webConfig, opts.basicAuth));
  app.use((req, res) => handler(req, res));
  return createServer(app, { webConfig, ...(opts.limits ? { limits: opts.limits } : {}) });
}
