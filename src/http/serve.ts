/**
 * Creates the exporter's HTTP(S) server from `--web.config.file`: plain HTTP without a file
 * (or without `tls_server_config`), HTTPS with optional client certificates otherwise, plus
 * the file's extra headers and Basic authentication in front of the application.
 *
 * Certificates, keys, CAs, users and headers are reloaded without a restart: the
 * {@link WebConfigSource} looks at the files' stat data at most once per second, on a new
 * connection (before its TLS handshake starts) or a new request, and the server swaps its
 * TLS context when they changed. A broken renewal keeps the last good context.
 */
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import tls from 'node:tls';
import type { Clock } from '../lib/clock.js';
import { basicAuth, type BasicAuthOptions } from './basic-auth.js';
import {
  WebConfigSource,
  type ClientAuthType,
  type ReadFileFn,
  type StatFn,
  type TlsServerConfig,
  type WebLogger,
} from './web-config.js';

/** Timeouts that keep slow or idle clients from tying up the server. */
export interface ServerLimits {
  /** Time to receive a request's headers (slowloris); 408 after. */
  readonly headersTimeoutMs: number;
  /** Time to receive a whole request (not to answer it); 408 after. */
  readonly requestTimeoutMs: number;
  /** Idle time a keep-alive connection is kept between requests. */
  readonly keepAliveTimeoutMs: number;
  /** Time to complete a TLS handshake. */
  readonly handshakeTimeoutMs: number;
  /** How often Node checks the two request timeouts above. */
  readonly connectionsCheckingIntervalMs: number;
}

/**
 * Defaults: headers within 10 s, a request within 60 s, idle keep-alive connections kept
 * 65 s (longer than the usual 15-60 s scrape interval, so Prometheus reuses them), TLS
 * handshakes within 10 s; timeouts checked every second.
 */
export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 65_000,
  handshakeTimeoutMs: 10_000,
  connectionsCheckingIntervalMs: 1_000,
};

/** Options of {@link createServer}. */
export interface CreateServerOptions {
  /** `--web.config.file`; undefined or '' = plain HTTP, no authentication. */
  readonly webConfigPath?: string | undefined;
  /** Receives reload warnings (and, if it has `info`, successful reloads). */
  readonly logger?: WebLogger;
  /** Overrides of {@link DEFAULT_SERVER_LIMITS}. */
  readonly limits?: Partial<ServerLimits>;
  /** Time source for the reload check interval. @default systemClock */
  readonly clock?: Clock;
  /** Minimum time between two looks at the files. @default 1000 */
  readonly reloadCheckIntervalMs?: number;
  /** File reader, injected for tests. */
  readonly readFile?: ReadFileFn;
  /** File stat, injected for tests. */
  readonly stat?: StatFn;
  /** Options of the Basic authentication middleware. */
  readonly basicAuth?: BasicAuthOptions;
}

/** The request handler the server runs: an Express app or any `node:http` listener. */
export type AppHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/**
 * Creates (but does not start) the server. Call `listen()` on the result.
 *
 * @param app - the application, e.g. an Express app
 * @param opts - web config path, logger, limits and injected dependencies
 * @returns an `http.Server`, or an `https.Server` when the file has `tls_server_config`
 * @throws ConfigError - when the web config file is invalid (see `loadWebConfig`)
 */
export async function createServer(app: AppHandler, opts: CreateServerOptions = {}): Promise<http.Server | https.Server> {
  const limits = { ...DEFAULT_SERVER_LIMITS, ...opts.limits };
  const httpOptions: http.ServerOptions = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: limits.connectionsCheckingIntervalMs,
  };

  if (opts.webConfigPath === undefined || opts.webConfigPath === '') {
    return applyLimits(http.createServer(httpOptions, app), limits);
  }

  const source = await WebConfigSource.open(opts.webConfigPath, {
    ...(opts.readFile ? { readFile: opts.readFile } : {}),
    ...(opts.stat ? { stat: opts.stat } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.reloadCheckIntervalMs !== undefined ? { checkIntervalMs: opts.reloadCheckIntervalMs } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  const handler = guardedHandler(app, source, opts.basicAuth);
  const initialTls = source.current().tls;
  if (initialTls === undefined) {
    return applyLimits(http.createServer(httpOptions, handler), limits);
  }

  const server = https.createServer(
    {
      ...httpOptions,
      ...initialTls.secureContextOptions(),
      ...clientCertOptions(initialTls.clientAuthType),
      handshakeTimeout: limits.handshakeTimeoutMs,
    },
    handler,
  );
  source.onReload((next) => {
    if (next.tls === undefined) return; // refused by the source; kept for type narrowing
    server.setSecureContext(next.tls.secureContextOptions());
    Object.assign(server as unknown as ClientCertSettings, clientCertOptions(next.tls.clientAuthType));
  });
  refreshBeforeHandshake(server, () => source.poll());
  return applyLimits(server, limits);
}

/** The two `tls.Server` fields that `tlsConnectionListener` reads for every new connection. */
interface ClientCertSettings {
  requestCert: boolean;
  rejectUnauthorized: boolean;
}

/**
 * Maps `client_auth_type` to Node's handshake settings. Node cannot express "require a
 * certificate but do not verify it" nor "verify only if given", so those are finished per
 * request by {@link clientCertRejection}.
 */
function clientCertOptions(type: ClientAuthType): ClientCertSettings {
  return {
    requestCert: type !== 'NoClientCert',
    rejectUnauthorized: type === 'RequireAndVerifyClientCert',
  };
}

/**
 * Per-request client certificate policy, also covering keep-alive connections that were
 * set up under an older policy.
 *
 * @param socket - the request's socket
 * @param tlsConfig - the current TLS configuration
 * @returns why the request must be refused, or undefined
 */
export function clientCertRejection(socket: net.Socket, tlsConfig: TlsServerConfig | undefined): string | undefined {
  if (tlsConfig === undefined || !(socket instanceof tls.TLSSocket)) return undefined;
  const type = tlsConfig.clientAuthType;
  if (type === 'NoClientCert' || type === 'RequestClientCert') return undefined;
  const presented = socket.getPeerX509Certificate() !== undefined;
  if (!presented) {
    return type === 'VerifyClientCertIfGiven' ? undefined : 'a client certificate is required';
  }
  if (type === 'RequireAnyClientCert') return undefined;
  return socket.authorized ? undefined : 'client certificate not trusted';
}

function guardedHandler(app: AppHandler, source: WebConfigSource, authOptions: BasicAuthOptions | undefined): AppHandler {
  const auth = basicAuth(() => source.current().users, authOptions);
  const handle: AppHandler = (req, res) => {
    const config = source.current();
    for (const [name, value] of config.http.headers) res.setHeader(name, value);
    const rejection = clientCertRejection(req.socket, config.tls);
    if (rejection !== undefined) {
      res.statusCode = 403;
      res.setHeader('Connection', 'close');
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(`Forbidden: ${rejection}\n`);
      return;
    }
    auth(req, res, (err) => {
      if (err === undefined) {
        app(req, res);
        return;
      }
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end('Internal Server Error\n');
      } else {
        res.destroy();
      }
    });
  };
  return (req, res) => {
    const pending = source.poll();
    if (pending === undefined) handle(req, res);
    else void pending.then(() => handle(req, res));
  };
}

/**
 * Makes the server look at the files before each new TLS handshake (at most once per check
 * interval): Node binds a connection to the server's TLS context when it wraps the socket,
 * so the check has to finish before `tls.Server`'s own connection listener runs. When no
 * check is due the socket is handed on synchronously, exactly as without this wrapper.
 */
function refreshBeforeHandshake(server: https.Server, poll: () => Promise<void> | undefined): void {
  const original = server.listeners('connection') as Array<(socket: net.Socket) => void>;
  server.removeAllListeners('connection');
  const handOn = (socket: net.Socket): void => {
    for (const listener of original) listener.call(server, socket);
  };
  server.on('connection', (socket: net.Socket) => {
    const pending = poll();
    if (pending === undefined) {
      handOn(socket);
      return;
    }
    // A reset while we wait must not become an unhandled 'error' event.
    const swallow = (): void => undefined;
    socket.on('error', swallow);
    void pending.then(() => {
      socket.off('error', swallow);
      if (socket.destroyed) return;
      handOn(socket);
    });
  });
}

function applyLimits<S extends http.Server | https.Server>(server: S, limits: ServerLimits): S {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  return server;
}
