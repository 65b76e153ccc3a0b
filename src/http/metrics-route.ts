import type { Request, RequestHandler, Response } from 'express';
import type { CollectionEngine, CollectionView } from '../collect/engine.js';
import type { ExpositionFormat } from '../lib/text-format.js';
import type { ExpositionCache, RenderedBody } from '../metrics/exposition.js';
import type { ScrapeTail, Tail } from '../metrics/scrape-tail.js';
import { CONTENT_TYPES } from '../metrics/self-metrics.js';

/** Scrape budget when Prometheus sent no `X-Prometheus-Scrape-Timeout-Seconds`. */
export const DEFAULT_SCRAPE_TIMEOUT_SECONDS = 10;

/** Largest scrape timeout honoured from the header, seconds. */
export const MAX_SCRAPE_TIMEOUT_SECONDS = 300;

/** Dependencies of {@link createMetricsHandler}. */
export interface MetricsRouteOptions {
  /** Collects (through the caches) for a scrape. */
  readonly engine: CollectionEngine;
  /** Rendered-body cache. */
  readonly cache: ExpositionCache;
  /** `vmc_up`, `vmc_collector_success` and the exporter's own metrics. */
  readonly tail: ScrapeTail;
  /** `--web.timeout-offset` in seconds. */
  readonly timeoutOffsetSeconds: number;
  /** Creates the deadline of a scrape; injectable for tests. @default a setTimeout */
  readonly deadline?: (ms: number) => ScrapeDeadline;
}

/** The moment a scrape must answer by: a promise that settles then, and a way to cancel the timer. */
export interface ScrapeDeadline {
  /** Settles at the deadline. */
  readonly promise: Promise<void>;
  /** Stops the timer (the scrape is answered). */
  cancel(): void;
}

/**
 * The scrape's budget in ms: the timeout Prometheus announces (at most
 * {@link MAX_SCRAPE_TIMEOUT_SECONDS}) minus the offset (half of the timeout when the offset
 * does not fit), or 10 s minus the offset without a usable header.
 */
export function scrapeBudgetMs(header: string | undefined, offsetSeconds: number): number {
  const announced = header !== undefined ? Number.parseFloat(header) : Number.NaN;
  const timeout = Number.isFinite(announced) && announced > 0 ? Math.min(announced, MAX_SCRAPE_TIMEOUT_SECONDS) : DEFAULT_SCRAPE_TIMEOUT_SECONDS;
  const budget = timeout > offsetSeconds ? timeout - offsetSeconds : timeout / 2;
  return Math.round(budget * 1000);
}

/** Media types offered, most preferred first; the first two are what Prometheus asks for. */
const OFFERS = [
  'text/plain; version=0.0.4',
  'application/openmetrics-text; version=1.0.0',
  'application/openmetrics-text; version=0.0.1',
  'text/plain',
  'application/openmetrics-text',
];

/**
 * The exposition format for a request: OpenMetrics when the client prefers it (as
 * Prometheus does by default), the text format otherwise (also when it accepts neither).
 */
export function negotiateFormat(req: Request): ExpositionFormat {
  const chosen = req.accepts(OFFERS);
  return typeof chosen === 'string' && chosen.startsWith('application/openmetrics-text') ? 'openmetrics' : 'text';
}

/** True when the client asks for gzip (`Accept-Encoding` lists it, or `*`, without `q=0`); no header means no gzip. */
export function acceptsGzip(req: Request): boolean {
  return req.headers['accept-encoding'] !== undefined && req.acceptsEncodings('gzip', 'identity') === 'gzip';
}

/** A deadline `ms` from now, on a timer. */
export function timerDeadline(ms: number): ScrapeDeadline {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/**
 * The telemetry route: answers before the scrape deadline whatever the upstream does,
 * from bytes rendered once per data change, plus `vmc_up`, `vmc_collector_success` and
 * the exporter's own metrics; gzip when the client accepts it.
 */
export function createMetricsHandler(opts: MetricsRouteOptions): RequestHandler {
  const makeDeadline = opts.deadline ?? timerDeadline;
  return async (req, res) => {
    const deadline = makeDeadline(scrapeBudgetMs(req.get('x-prometheus-scrape-timeout-seconds'), opts.timeoutOffsetSeconds));
    let view: CollectionView;
    try {
      view = await opts.engine.collect(deadline.promise);
    } finally {
      deadline.cancel();
    }
    await sendExposition(req, res, view, opts.cache, opts.tail);
  };
}

/** Sends the exposition of `view` in the negotiated format, gzipped when accepted. */
export async function sendExposition(req: Request, res: Response, view: CollectionView, cache: ExpositionCache, tail: ScrapeTail): Promise<void> {
  const format = negotiateFormat(req);
  await sendBody(req, res, format, cache.body(view, format), await tail.get(view, format));
}

/**
 * Sends a rendered body followed by its tail in `format` (the one {@link negotiateFormat}
 * chose), gzipped when accepted: the cached gzipped body and the tail's own gzip member.
 */
export async function sendBody(req: Request, res: Response, format: ExpositionFormat, body: RenderedBody, rest: Tail): Promise<void> {
  const gzip = acceptsGzip(req);
  const head = gzip ? [await body.gzipped()] : body.chunks;
  const end = gzip ? rest.gzipped() : rest.plain;
  res.status(200);
  res.setHeader('Content-Type', CONTENT_TYPES[format]);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Vary', 'Accept, Accept-Encoding');
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  res.setHeader('Content-Length', head.reduce((n, c) => n + c.length, 0) + end.length);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  // Corked, the chunks go out in one writev.
  res.cork();
  for (const chunk of head) res.write(chunk);
  res.end(end);
}
