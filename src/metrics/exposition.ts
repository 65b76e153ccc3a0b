import { gzip as gzipCb } from 'node:zlib';
import { promisify } from 'node:util';
import type { CollectionView, OrgView } from '../collect/engine.js';
import { header, type ExpositionFormat } from '../lib/text-format.js';
import { META_FAMILIES, renderMeta, renderSource } from './render.js';

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

/** The rendered fragments of one org: per collector (keyed by its view) and the framework's own. */
interface OrgFragments {
  readonly sources: ReadonlyArray<{ readonly key: string; readonly families: readonly string[] } | undefined>;
  readonly metaKey: string;
  readonly meta: readonly string[];
}

/**
 * Renders the data part of a scrape once per data change and serves the same bytes (and
 * the same gzipped bytes) to every scrape until then, in the text format and in
 * OpenMetrics. Each (org, collector) fragment is cached by its view's key, so a change in
 * one collector of one org re-renders only that fragment.
 */
export class ExpositionCache {
  #orgs = new Map<string, OrgFragments>();
  readonly #bodies = new Map<ExpositionFormat, { key: string; body: RenderedBody }>();

  /** Returns the rendered body for `view` in `format`. */
  body(view: CollectionView, format: ExpositionFormat = 'text'): RenderedBody {
    const groups = view.exporter ? [...view.orgs, view.exporter] : view.orgs;
    const key = groups.map(orgKey).join('|');
    const cached = this.#bodies.get(format);
    if (cached?.key === key) return cached.body;
    const next = new Map<string, OrgFragments>();
    for (const o of groups) next.set(o.orgId, this.#fragments(view, o));
    this.#orgs = next;
    const body = new RenderedBody(assemble(view, groups.map((o) => next.get(o.orgId)!), format));
    this.#bodies.set(format, { key, body });
    return body;
  }

  #fragments(view: CollectionView, org: OrgView): OrgFragments {
    const previous = this.#orgs.get(org.orgId);
    const sources = org.sources.map((s, i) => {
      if (s === undefined) return undefined;
      const old = previous?.sources[i];
      return old && old.key === s.key ? old : { key: s.key, families: renderSource(view.collectors[i]!, org.orgId, s) };
    });
    const metaKey = orgKey(org);
    const meta = previous && previous.metaKey === metaKey ? previous.meta : renderMeta(view.collectors, org);
    return { sources, metaKey, meta };
  }
}

function orgKey(o: OrgView): string {
  return `${o.orgId}=${o.sources.map((s) => s?.key ?? '-').join(',')}`;
}

/** Joins the fragments family by family: each collector's families in order, then the meta families. */
function assemble(view: CollectionView, fragments: readonly OrgFragments[], format: ExpositionFormat): string {
  const body: string[] = [];
  view.collectors.forEach((active, c) => {
    active.definition.families.forEach((family, f) => {
      const samples = fragments.map((o) => o.sources[c]?.families[f] ?? '');
      if (samples.some((x) => x !== '')) body.push(header(family, format), ...samples);
    });
  });
  META_FAMILIES.forEach((family, f) => {
    const samples = fragments.map((o) => o.meta[f] ?? '');
    if (samples.some((x) => x !== '')) body.push(header(family, format), ...samples);
  });
  return body.join('');
}
