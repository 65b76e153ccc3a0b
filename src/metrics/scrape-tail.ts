import { gzipSync } from 'node:zlib';
import type { CollectionView } from '../collect/engine.js';
import type { ExpositionFormat } from '../lib/text-format.js';
import { renderUp } from './render.js';
import type { SelfMetrics } from './self-metrics.js';

/**
 * The small part of a scrape that follows the cached data body: `vmc_up`,
 * `vmc_collector_success` and the exporter's own metrics (in OpenMetrics, with `# EOF`).
 */
export interface Tail {
  /** UTF-8 text. */
  readonly plain: Buffer;
  /** The same as one gzip member (appended to the gzipped body), compressed on first use. */
  gzipped(): Buffer;
}

/**
 * Renders the tail of a scrape again only when something in it changed (a `vmc_up` value, an
 * upstream request or token counted) or after `maxAgeMs` (for the process metrics), so a
 * burst of scrapes (HA Prometheus pairs, dashboards, a load test) costs a buffer copy each
 * instead of a prom-client render and a gzip each. Counters are always current; the
 * `process_*` / `nodejs_*` gauges are at most `maxAgeMs` old.
 */
export class ScrapeTail {
  readonly #self: SelfMetrics;
  readonly #now: () => number;
  readonly #maxAgeMs: number;
  readonly #current = new Map<ExpositionFormat, { up: string; at: number; tail: Promise<Tail> }>();

  /**
   * @param self - the exporter's own metrics
   * @param maxAgeMs - how long a rendered tail is reused. @default 1000
   * @param now - monotonic milliseconds (real elapsed time, not the injectable wall clock:
   *   this is a rendering cache, not a business rule). @default performance.now
   */
  constructor(self: SelfMetrics, maxAgeMs = 1000, now: () => number = () => performance.now()) {
    this.#self = self;
    this.#maxAgeMs = maxAgeMs;
    this.#now = now;
  }

  /** The tail for a scrape showing `view` in `format`. */
  get(view: CollectionView, format: ExpositionFormat = 'text'): Promise<Tail> {
    const rendered = renderUp(view, format);
    const up = `${this.#self.version}\n${rendered}`;
    const now = this.#now();
    const cur = this.#current.get(format);
    if (cur && cur.up === up && now - cur.at < this.#maxAgeMs) return cur.tail;
    const tail = this.#self.render(format).then((text) => makeTail(rendered + text));
    this.#current.set(format, { up, at: now, tail });
    // A failed render must not be served from the cache.
    tail.catch(() => {
      if (this.#current.get(format)?.tail === tail) this.#current.delete(format);
    });
    return tail;
  }
}

/** A {@link Tail} of `text`, its gzip member made on first use. */
export function makeTail(text: string): Tail {
  const plain = Buffer.from(text, 'utf8');
  let gz: Buffer | undefined;
  return {
    plain,
    gzipped: () => (gz ??= gzipSync(plain)),
  };
}
