/**
 * Creates the exporter's HTTP(S) server: plain HTTP without `--web.config.file` (or without
 * `tls_server_config`), HTTPS with optional client certificates otherwise. What every
 * request goes through (headers, client-certificate policy, basic auth) is the Express
 * app's job (`app.ts`); this module is the transport.
 *
 * Certificates, keys and CAs are reloaded without a restart: the {@link WebConfigSource}
 * looks at the files' stat data at most once per second, on a new connection (before its
 * TLS handshake starts) or a new request, and the server swaps its TLS context when they
 * changed. A broken renewal keeps the last good context.
 */
import http from 'node:http';
import https from 'node:https';
import dns from 'node:dns/promises';
import type net from 'node:net';
import { isIP } from 'node:net';
import type { ListenAddress } from '../config/config.js';
import { formatListenAddress } from '../config/listen-address.js';
import { ConfigError, ExporterError } from '../lib/errors.js';
import type { ClientAuthType, WebConfigSource } from '../web-config/index.js';

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
  /** The loaded `--web.config.file`; undefined = plain HTTP. */
  readonly webConfig?: WebConfigSource | undefined;
  /** Overrides of {@link DEFAULT_SERVER_LIMITS}. */
  readonly limits?: Partial<ServerLimits>;
}

/** The request handler the server runs: an Express app or any `node:http` listener. */
export type AppHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/**
 * Creates (but does not start) the server. Call `listen()` on the result.
 *
 * @param app - the application, e.g. an Express app
 * @param opts - the loaded web config and limits
 * @returns an `http.Server`, or an `https.Server` when the web config has `tls_server_config`
 */
export function createServer(app: AppHandler, opts: CreateServerOptions = {}): http.Server | https.Server {
  const limits = { ...DEFAULT_SERVER_LIMITS, ...opts.limits };
  const httpOptions: http.ServerOptions = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: limits.connectionsCheckingIntervalMs,
  };
  const source = opts.webConfig;
  const initialTls = source?.current().tls;
  if (source === undefined || initialTls === undefined) {
    return applyLimits(http.createServer(httpOptions, app), limits);
  }

  const server = https.createServer(
    {
      ...httpOptions,
      ...initialTls.secureContextOptions(),
      ...clientCertOptions(initialTls.clientAuthType),
      handshakeTimeout: limits.handshakeTimeoutMs,
    },
    app,
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
 * request by `clientCertRejection` (`client-cert.ts`).
 */
function clientCertOptions(type: ClientAuthType): ClientCertSettings {
  return {
    requestCert: type !== 'NoClientCert',
    rejectUnauthorized: type === 'RequireAndVerifyClientCert',
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
  trackResponses(server);
  return server;
}

/** Responses in flight, per server, for {@link closeGracefully}. */
const inFlight = new WeakMap<http.Server, Set<http.ServerResponse>>();

function trackResponses(server: http.Server): void {
  const active = new Set<http.ServerResponse>();
  inFlight.set(server, active);
  server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    active.add(res);
    res.once('close', () => active.delete(res));
  });
}

/**
 * Stops accepting and resolves once every connection is gone: idle keep-alive connections
 * close at once, a busy one as soon as its response is done (a response not yet started
 * says `Connection: close`; one already sending is followed by closing its socket), and
 * whatever is still open after `graceMs` is cut.
 *
 * @param server - a server made by {@link createServer}
 * @param graceMs - longest wait for responses in flight
 */
export function closeGracefully(server: http.Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const finishThenClose = (res: http.ServerResponse): void => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
    else res.once('finish', () => setImmediate(() => server.closeIdleConnections()));
  };
  for (const res of inFlight.get(server) ?? []) finishThenClose(res);
  // A request that arrives on a kept-alive connection during shutdown gets the same treatment.
  const onRequest = (_req: http.IncomingMessage, res: http.ServerResponse): void => finishThenClose(res);
  server.on('request', onRequest);
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  return closed.finally(() => {
    clearTimeout(timer);
    server.off('request', onRequest);
  });
}

/**
 * Why listening failed, for the start-up line. A host name that does not resolve and an
 * address this host does not have are configuration errors (exit code 2); a port in use or
 * one that needs privileges is not.
 */
const LISTEN_FAILURES: Readonly<Record<string, { readonly reason: string; readonly config: boolean }>> = {
  ENOTFOUND: { reason: 'host name not found', config: true },
  EAI_AGAIN: { reason: 'host name lookup failed (temporary DNS failure)', config: true },
  EAI_FAIL: { reason: 'host name lookup failed', config: true },
  EADDRNOTAVAIL: { reason: 'address not available on this host', config: true },
  EAFNOSUPPORT: { reason: 'address family not supported on this host', config: true },
  EINVAL: { reason: 'invalid address', config: true },
  EADDRINUSE: { reason: 'address already in use', config: false },
  EACCES: { reason: 'permission denied', config: false },
};

function listenFailure(address: ListenAddress, err: NodeJS.ErrnoException): ExporterError {
  const known = err.code === undefined ? undefined : LISTEN_FAILURES[err.code];
  const lookup = err.syscall === 'getaddrinfo';
  const reason = known?.reason ?? (lookup ? 'host name lookup failed' : (err.code ?? err.message));
  const message = `--web.listen-address: cannot listen on ${formatListenAddress(address)}: ${reason}`;
  return known?.config === true || lookup ? new ConfigError(message) : new ExporterError('LISTEN', message, { cause: err });
}

/**
 * Resolves every host name among `addresses` before anything listens, so that one that
 * does not resolve stops the start with nothing listening.
 *
 * @param addresses - the `--web.listen-address` values
 * @param lookup - the resolver. @default `dns.lookup`
 * @throws ConfigError naming the flag and the address
 */
export async function resolveListenAddresses(addresses: readonly ListenAddress[], lookup: (host: string) => Promise<unknown> = (h) => dns.lookup(h)): Promise<void> {
  for (const address of addresses) {
    if (address.host === undefined || isIP(address.host) !== 0) continue;
    try {
      await lookup(address.host);
    } catch (err) {
      throw listenFailure(address, { syscall: 'getaddrinfo', ...(err as NodeJS.ErrnoException) } as NodeJS.ErrnoException);
    }
  }
}

/**
 * Starts `server` listening on `address`, resolving once it listens.
 *
 * @param server - a server made by {@link createServer}
 * @param address - one `--web.listen-address`
 * @throws ConfigError naming the flag and the address when the host does not resolve or is
 *   not an address of this host; ExporterError (code `LISTEN`) naming them when the port is
 *   in use or needs privileges
 */
export function listenOn(server: http.Server, address: ListenAddress): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => reject(listenFailure(address, err));
    server.once('error', onError);
    server.listen(address.port, address.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
