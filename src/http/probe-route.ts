import type { RequestHandler } from 'express';
import { ProbeLimitError, type CollectionEngine, type CollectionView } from '../collect/engine.js';
import type { ExpositionCache } from '../metrics/exposition.js';
import { negotiateFormat, scrapeBudgetMs, sendBody, timerDeadline, type ScrapeDeadline } from './metrics-route.js';
import { parseProbeQuery, type ProbeCollectors } from './probe-query.js';

/** Dependencies of {@link createProbeHandler}. */
export interface ProbeRouteOptions {
  /** Collects (through the same caches as the telemetry path). */
  readonly engine: CollectionEngine;
  /** Rendered fragments, shared with the telemetry path. */
  readonly cache: ExpositionCache;
  /** The collectors a probe may name. */
  readonly collectors: ProbeCollectors;
  /** `--web.timeout-offset` in seconds. */
  readonly timeoutOffsetSeconds: number;
  /** Creates the deadline of a probe; injectable for tests. @default a setTimeout */
  readonly deadline?: (ms: number) => ScrapeDeadline;
}

/**
 * The probe route, `GET /probe?target=<org id>[&collector=NAME…]`: collects one org through
 * the same per-(org, collector) caches as the telemetry path (a probe and a scrape of the
 * same org share one upstream call per TTL) and answers with only that org's series,
 * `vmc_up` and `vmc_collector_*` for it, without the exporter's own metrics. The deadline
 * and content negotiation are the telemetry path's. A malformed query is 400 (414 when
 * too long) with one line; a new org beyond `--probe.max-orgs` is 429.
 */
export function createProbeHandler(opts: ProbeRouteOptions): RequestHandler {
  const makeDeadline = opts.deadline ?? timerDeadline;
  return async (req, res) => {
    const url = req.originalUrl;
    const q = url.indexOf('?');
    const parsed = parseProbeQuery(q < 0 ? '' : url.slice(q + 1), opts.collectors);
    if (!parsed.ok) {
      res.status(parsed.status).type('text/plain').send(parsed.message);
      return;
    }
    const deadline = makeDeadline(scrapeBudgetMs(req.get('x-prometheus-scrape-timeout-seconds'), opts.timeoutOffsetSeconds));
    let view: CollectionView;
    try {
      view = await opts.engine.collect(deadline.promise, { orgs: [parsed.target], ...(parsed.collectors ? { collectors: parsed.collectors } : {}) });
    } catch (err) {
      if (!(err instanceof ProbeLimitError)) throw err;
      res.setHeader('Retry-After', '60');
      res.status(429).type('text/plain').send(`too many orgs probed (limit ${err.limit}, --probe.max-orgs); orgs not probed for --probe.idle are forgotten\n`);
      return;
    } finally {
      deadline.cancel();
    }
    const format = negotiateFormat(req);
    const { body, tail } = opts.cache.probe(view, format);
    await sendBody(req, res, format, body, tail);
  };
}
