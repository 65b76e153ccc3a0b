import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';

/** Dependencies of {@link createApp}. */
export interface AppOptions {
  /** `--web.telemetry-path`. */
  readonly telemetryPath: string;
  /** Serves a scrape. */
  readonly metrics: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** True once the configuration is loaded and the server listens. */
  readonly isReady: () => boolean;
  /** `--web.max-requests`: concurrent scrapes beyond it get 503 at once (0 = no limit). */
  readonly maxRequests: number;
  /** Exporter version for the landing page. */
  readonly version: string;
  /** Called with errors the routes throw (logged by the caller); the client sees no detail. */
  readonly onError: (err: unknown) => void;
}

const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
};

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The HTTP surface: landing page, telemetry path, `/-/healthy`, `/-/ready`; only GET and
 * HEAD; 404 for anything else; no stack traces or library versions in any answer.
 *
 * Scrapes of the telemetry path take a direct route that skips Express's routing (it is the
 * one hot path); everything else goes through the Express app.
 */
export function createApp(opts: AppOptions): RequestListener {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', false);
  app.use((req, res, next) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      res.status(405).type('text/plain').send('method not allowed\n');
      return;
    }
    next();
  });

  const path = escapeHtml(opts.telemetryPath);
  const landing =
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>VMC Exporter</title></head><body>' +
    `<h1>VMC Exporter</h1><p>Prometheus exporter for VMware Cloud on AWS, version ${escapeHtml(opts.version)}.</p>` +
    `<ul><li><a href="${path}">Metrics</a></li><li><a href="/-/healthy">Health</a></li><li><a href="/-/ready">Readiness</a></li></ul>` +
    '</body></html>\n';
  app.get('/', (_req, res) => {
    res.type('text/html; charset=utf-8').send(landing);
  });
  app.get('/-/healthy', (_req, res) => {
    res.type('text/plain').send('OK\n');
  });
  app.get('/-/ready', (_req, res) => {
    if (opts.isReady()) res.type('text/plain').send('OK\n');
    else res.status(503).type('text/plain').send('not ready\n');
  });

  let inflight = 0;
  const scrape = (req: IncomingMessage, res: ServerResponse): void => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    if (opts.maxRequests > 0 && inflight >= opts.maxRequests) {
      res.statusCode = 503;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(`too many concurrent scrapes (limit ${opts.maxRequests}, --web.max-requests)\n`);
      return;
    }
    inflight++;
    res.once('close', () => inflight--);
    opts.metrics(req, res).catch((err: unknown) => {
      opts.onError(err);
      if (res.headersSent) res.destroy();
      else {
        res.statusCode = 500;
        res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        res.end('internal error\n');
      }
    });
  };
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
  return (req, res) => {
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    if (path === opts.telemetryPath && (req.method === 'GET' || req.method === 'HEAD')) scrape(req, res);
    else app(req, res);
  };
}
