import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { WebConfigSource } from '../web-config/index.js';
import { basicAuth, type BasicAuthOptions } from './basic-auth.js';
import { clientCertRejection } from './client-cert.js';

/** Dependencies of {@link createApp}. */
export interface AppOptions {
  /** `--web.telemetry-path`. */
  readonly telemetryPath: string;
  /** Serves a scrape of the telemetry path. */
  readonly metrics: RequestHandler;
  /** `--web.probe-path` and the handler of a probe (one org per request). */
  readonly probe?: { readonly path: string; readonly handler: RequestHandler };
  /** True once the configuration is loaded and the server listens. */
  readonly isReady: () => boolean;
  /** `--web.max-requests`: concurrent scrapes beyond it get 503 at once (0 = no limit). */
  readonly maxRequests: number;
  /** Exporter version for the landing page. */
  readonly version: string;
  /** Called with errors the routes throw (logged by the caller); the client sees no detail. */
  readonly onError: (err: unknown) => void;
  /** `--web.config.file`: extra headers, client-certificate policy and basic-auth users. */
  readonly webConfig?: WebConfigSource | undefined;
  /** Options of the basic-auth check. */
  readonly basicAuth?: BasicAuthOptions;
  /** Serves `/` (the status page); without it `/` is a short page of links. */
  readonly landing?: RequestHandler;
}

/** Headers on every answer. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
};

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The HTTP surface, all in Express: the landing page, the telemetry path, the probe path,
 * `/-/healthy` and `/-/ready`. One place handles what every answer shares: the web config's reload check,
 * security and configured headers, methods (GET and HEAD; 405 otherwise), client
 * certificates, basic auth, 404s and errors (no stack traces or library versions in any
 * answer). Paths match exactly (case-sensitive, no trailing slash).
 */
export function createApp(opts: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', false);
  app.set('case sensitive routing', true);
  app.set('strict routing', true);

  app.use(edge(opts.webConfig, opts.basicAuth));

  const path = escapeHtml(opts.telemetryPath);
  const landing =
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>VMC Exporter</title></head><body>' +
    `<h1>VMC Exporter</h1><p>Prometheus exporter for VMware Cloud on AWS, version ${escapeHtml(opts.version)}.</p>` +
    `<ul><li><a href="${path}">Metrics</a></li><li><a href="/-/healthy">Health</a></li><li><a href="/-/ready">Readiness</a></li></ul>` +
    '</body></html>\n';
  app.get(
    '/',
    opts.landing ??
      ((_req, res) => {
        res.type('text/html; charset=utf-8').send(landing);
      }),
  );
  app.get('/-/healthy', (_req, res) => {
    res.type('text/plain').send('OK\n');
  });
  app.get('/-/ready', (_req, res) => {
    if (opts.isReady()) res.type('text/plain').send('OK\n');
    else res.status(503).type('text/plain').send('not ready\n');
  });
  const limit = concurrencyLimit(opts.maxRequests);
  app.get(opts.telemetryPath, limit, opts.metrics);
  if (opts.probe) app.get(opts.probe.path, limit, opts.probe.handler);

  app.use((_req, res) => {
    res.status(404).type('text/plain').send('not found\n');
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = typeof (err as { status?: unknown }).status === 'number' ? (err as { status: number }).status : 500;
    if (status >= 500) opts.onError(err);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(status).type('text/plain').send(status >= 500 ? 'internal error\n' : 'bad request\n');
  });
  return app;
}

/**
 * What every request goes through before a route: the web config's reload check,
 * security and configured headers, the method check (GET and HEAD; 405 otherwise), the
 * client-certificate policy and basic auth (except for {@link HEALTH_PATHS}).
 *
 * @param source - the loaded `--web.config.file`, if any
 * @param authOptions - options of the basic-auth check
 */
export function edge(source: WebConfigSource | undefined, authOptions?: BasicAuthOptions): express.Router {
  const router = express.Router();
  if (source) {
    router.use((_req, _res, next) => {
      const pending = source.poll();
      if (pending === undefined) next();
      else void pending.then(() => next());
    });
  }
  router.use((req, res, next) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    if (source) for (const [name, value] of source.current().http.headers) res.setHeader(name, value);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      res.status(405).type('text/plain').send('method not allowed\n');
      return;
    }
    next();
  });
  if (source) {
    router.use((req, res, next) => {
      const rejection = clientCertRejection(req.socket, source.current().tls);
      if (rejection === undefined) {
        next();
        return;
      }
      res.setHeader('Connection', 'close');
      res.status(403).type('text/plain').send(`Forbidden: ${rejection}\n`);
    });
    const auth = basicAuth(() => source.current().users, authOptions);
    router.use((req, res, next) => {
      if (HEALTH_PATHS.has(req.path)) next();
      else auth(req, res, next);
    });
  }
  return router;
}

/**
 * Paths that answer without basic auth: they reveal nothing, and container health checks
 * and Kubernetes probes cannot send credentials. The client-certificate policy still
 * applies to them (a TLS handshake without a required certificate never gets this far).
 */
export const HEALTH_PATHS: ReadonlySet<string> = new Set(['/-/healthy', '/-/ready']);

/** Answers 503 at once beyond `limit` scrapes and probes in flight (`--web.max-requests`; 0 = no limit). */
export function concurrencyLimit(limit: number): RequestHandler {
  let inflight = 0;
  return (_req, res, next) => {
    if (limit > 0 && inflight >= limit) {
      res.status(503).type('text/plain').send(`too many concurrent scrapes (limit ${limit}, --web.max-requests)\n`);
      return;
    }
    inflight++;
    res.once('close', () => inflight--);
    next();
  };
}
