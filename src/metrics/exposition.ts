import { gzip as gzipCb } from 'node:zlib';
import { promisify } from 'node:util';
import type { CollectionView } from '../collect/collector.js';
import { assemble, renderOrg } from './render.js';

const gzip = promisify(gzipCb);

/** The rendered data part of a scrape: the same object for as long as the data is unchanged. */
export class RenderedBody {
  /** The body as UTF-8 bytes. */
  readonly plain: Buffer;
  #gzipped: Promise<Buffer> | undefined;

  /** @param text - the exposition text */
  constructor(text: string) {
    this.plain = Buffer.from(text, 'utf8');
  }

  /** The body gzip-compressed; compressed once (off the event loop), then reused. */
  gzipped(): Promise<Buffer> {
    this.#gzipped ??= gzip(this.plain, { level: 6 });
    return this.#gzipped;
  }
}

/**
 * Renders the data part of `/metrics` once per data change and serves the same bytes (and
 * the same gzipped bytes) to every scrape until then. Each org's fragments are cached by the
 * org's view key, so a change in one org re-renders only that org.
 */
export class ExpositionCache {
  #orgs = new Map<string, { key: string; fragments: string[] }>();
  #body: { key: string; body: RenderedBody } | undefined;

  /** Returns the rendered body for `view`. */
  body(view: CollectionView): RenderedBody {
    const key = view.orgs.map((o) => `${o.orgId}=${o.key}`).join('|');
    if (this.#body?.key === key) return this.#body.body;
    const next = new Map<string, { key: string; fragments: string[] }>();
    for (const o of view.orgs) {
      const cached = this.#orgs.get(o.orgId);
      next.set(o.orgId, cached && cached.key === o.key ? cached : { key: o.key, fragments: renderOrg(o) });
    }
    this.#orgs = next;
    const body = new RenderedBody(assemble([...next.values()].map((e) => e.fragments)));
    this.#body = { key, body };
    return body;
  }
}
