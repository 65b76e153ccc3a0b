import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CollectionView, Collector } from '../collect/collector.js';
import type { ExpositionCache } from '../metrics/exposition.js';
import type { ScrapeTail } from '../metrics/scrape-tail.js';

/** Content type of the Prometheus text format served. */
export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Scrape budget when Prometheus sent no `X-Prometheus-Scrape-Timeout-Seconds`. */
export const DEFAULT_SCRAPE_TIMEOUT_SECONDS = 10;

/** Dependencies of {@link createMetricsHandler}. */
export interface MetricsRouteOptions {
  /** Collects (through the cache) for a scrape. */
  readonly collector: Collector;
  /** Rendered-body cache. */
  readonly cache: ExpositionCache;
  /** `vmc_up` and the exporter's own metrics (rendered at most once a second). */
  readonly tail: ScrapeTail;
  /** `--web.timeout-offset` in seconds. */
  readonly timeoutOffsetSeconds: number;
  /** Creates the deadline of a scrape; injectable for tests. @default a setTimeout */
  readonly deadline?: (ms: number) => { promise: Promise<void>; cancel: () => void };
}

/**
 * The scrape's budget in ms: the timeout Prometheus announces minus the offset (half of the
 * timeout when the offset does not fit), or 10 s minus the offset without the header.
 */
export function scrapeBudgetMs(header: string | undefined, offsetSeconds: number): number {
  const announced = header !== undefined ? Number.parseFloat(header) : Number.NaN;
  const timeout = Number.isFinite(announced) && announced > 0 ? announced : DEFAULT_SCRAPE_TIMEOUT_SECONDS;
  const budget = timeout > offsetSeconds ? timeout - offsetSeconds : timeout / 2;
  return Math.round(budget * 1000);
}

/** True when the client takes gzip (`Accept-Encoding` lists it without `q=0`). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

function timerDeadline(ms: number): { promise: Promise<void>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/**
 * GET/HEAD handler of the telemetry path: answers before the scrape deadline whatever the
 * upstream does, from bytes rendered once per data change, plus `vmc_up` and the exporter's
 * own metrics rendered per scrape; gzip when the client accepts it.
 */
export function createMetricsHandler(opts: MetricsRouteOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const makeDeadline = opts.deadline ?? timerDeadline;
  return async (req, res) => {
    const deadline = makeDeadline(scrapeBudgetMs(header(req, 'x-prometheus-scrape-timeout-seconds'), opts.timeoutOffsetSeconds));
    let view: CollectionView;
    try {
      view = await opts.collector.collect(deadline.promise);
    } finally {
      deadline.cancel();
    }
    const body = opts.cache.body(view);
    const tail = await opts.tail.get(view);
    const gzip = acceptsGzip(header(req, 'accept-encoding'));
    const head = gzip ? await body.gzipped() : body.plain;
    const rest = gzip ? tail.gzipped() : tail.plain;
    res.statusCode = 200;
    res.setHeader('Content-Type', CONTENT_TYPE);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Vary', 'Accept-Encoding');
    if (gzip) res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Content-Length', head.length + rest.length);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    res.write(head);
    res.end(rest);
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
