import { createGzip } from 'node:zlib';
import type { CollectionView, OrgView } from '../collect/engine.js';
import { header, type ExpositionFormat } from '../lib/text-format.js';
import { META_FAMILIES, renderMeta, renderSource, renderUp } from './render.js';
import { makeTail, type Tail } from './scrape-tail.js';

/**
 * The rendered data part of a scrape: the same object for as long as the data is unchanged.
 * It is a list of buffers (family headers and the (org, collector) fragments they head),
 * never copied into one: a scrape writes them as they are.
 */
export class RenderedBody {
  /** The body's UTF-8 bytes, in order; none is empty. */
  readonly chunks: readonly Buffer[];
  /** Their total size, bytes. */
  readonly byteLength: number;
  #gzipped: Promise<Buffer> | undefined;

  /** @param chunks - the body's bytes, in order */
  constructor(chunks: readonly Buffer[]) {
    this.chunks = chunks.filter((c) => c.length > 0);
    this.byteLength = this.chunks.reduce((n, c) => n + c.length, 0);
  }

  /** The body in one buffer (a copy, made on each call; the send path writes {@link chunks}). */
  get plain(): Buffer {
    return Buffer.concat(this.chunks, this.byteLength);
  }

  /** The body gzip-compressed, as one gzip member; compressed once (off the event loop), then reused. */
  gzipped(): Promise<Buffer> {
    this.#gzipped ??= gzipChunks(this.chunks);
    return this.#gzipped;
  }
}

/** Compresses `chunks` as one gzip member without copying them into one buffer first. */
function gzipChunks(chunks: readonly Buffer[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const z = createGzip({ level: 6 });
    const out: Buffer[] = [];
    z.on('data', (c: Buffer) => out.push(c));
    z.once('error', reject);
    z.once('end', () => resolve(Buffer.concat(out)));
    for (const c of chunks) z.write(c);
    z.end();
  });
}

/** One collector's rendered families for one org, and the view key they were rendered from. */
interface Fragment {
  readonly key: string;
  readonly families: readonly Buffer[];
}

/** The rendered fragments of one org: per collector (keyed by its view) and the framework's own. */
interface OrgFragments {
  /** Per active collector; kept while a view leaves the collector out (a probe asking for others). */
  readonly sources: Array<Fragment | undefined>;
  metaKey: string;
  meta: readonly string[];
  /** Probe answers of this org, by format and the collectors asked for; least recently used first. */
  readonly probes: Map<string, ProbeAnswer>;
}

/** A cached probe answer: the data body and its tail, for one org view. */
interface ProbeAnswer {
  readonly key: string;
  readonly body: RenderedBody;
  readonly tailText: string;
  readonly tail: Tail;
}

/**
 * How many probe answers are kept per org: one per format and set of collectors asked for,
 * least recently used dropped first. Prometheus asks for one or two; the bound keeps a
 * caller cycling through collector combinations from growing memory.
 */
export const PROBE_ANSWERS_PER_ORG = 4;

/**
 * Renders the data part of a scrape once per data change and serves the same bytes (and
 * the same gzipped bytes) to every scrape until then, in the text format and in
 * OpenMetrics. Each (org, collector) fragment is cached by its view's key, so a change in
 * one collector of one org re-renders only that fragment; `/metrics` and probes assemble
 * their answers from the same fragments. An org's fragments and answers are kept until
 * {@link ExpositionCache.forget} drops them (the engine's `forget`).
 */
export class ExpositionCache {
  readonly #orgs = new Map<string, OrgFragments>();
  readonly #bodies = new Map<ExpositionFormat, { key: string; body: RenderedBody }>();

  /** Returns the rendered body for `view` in `format`. */
  body(view: CollectionView, format: ExpositionFormat = 'text'): RenderedBody {
    const groups = view.exporter ? [...view.orgs, view.exporter] : view.orgs;
    const key = groups.map(orgKey).join('|');
    const cached = this.#bodies.get(format);
    if (cached?.key === key) return cached.body;
    const body = new RenderedBody(
      assemble(
        view,
        groups.map((o) => this.#fragments(view, o)),
        format,
      ),
    );
    this.#bodies.set(format, { key, body });
    return body;
  }

  /**
   * The answer to a probe of one org: its data body and a tail with `vmc_up` and
   * `vmc_collector_success` (and `# EOF` in OpenMetrics), without the exporter's own
   * metrics. Both are reused until the org's view changes.
   *
   * @param view - a collection of exactly one org, without exporter-wide collectors
   * @param format - the exposition format
   */
  probe(view: CollectionView, format: ExpositionFormat = 'text'): { body: RenderedBody; tail: Tail } {
    const org = view.orgs[0];
    if (org === undefined || view.orgs.length !== 1) throw new Error('a probe answer shows exactly one org');
    const fragments = this.#fragments(view, org);
    const slot = `${format}|${org.sources.map((s) => (s ? 1 : 0)).join('')}`;
    const key = orgKey(org);
    const tailText = renderUp(view, format) + (format === 'openmetrics' ? '# EOF\n' : '');
    let answer = fragments.probes.get(slot);
    fragments.probes.delete(slot);
    if (answer === undefined || answer.key !== key) {
      answer = { key, body: new RenderedBody(assemble(view, [fragments], format)), tailText, tail: makeTail(tailText) };
    } else if (answer.tailText !== tailText) {
      answer = { ...answer, tailText, tail: makeTail(tailText) };
    }
    fragments.probes.set(slot, answer);
    if (fragments.probes.size > PROBE_ANSWERS_PER_ORG) fragments.probes.delete(fragments.probes.keys().next().value!);
    return { body: answer.body, tail: answer.tail };
  }

  /** Drops everything rendered for `orgId`. */
  forget(orgId: string): void {
    this.#orgs.delete(orgId);
  }

  /** Orgs with rendered fragments (for tests and the bench). */
  get size(): number {
    return this.#orgs.size;
  }

  /** The org's fragments, brought up to date with `org` (only changed views re-render). */
  #fragments(view: CollectionView, org: OrgView): OrgFragments {
    let entry = this.#orgs.get(org.orgId);
    if (entry === undefined) {
      entry = { sources: [], metaKey: '', meta: [], probes: new Map() };
      this.#orgs.set(org.orgId, entry);
    }
    org.sources.forEach((s, i) => {
      if (s === undefined) return;
      const old = entry.sources[i];
      if (old?.key !== s.key) entry.sources[i] = { key: s.key, families: renderSource(view.collectors[i]!, org.orgId, s) };
    });
    const metaKey = orgKey(org);
    if (entry.metaKey !== metaKey) {
      entry.metaKey = metaKey;
      entry.meta = renderMeta(view.collectors, org);
    }
    return entry;
  }
}

function orgKey(o: OrgView): string {
  return `${o.orgId}=${o.sources.map((s) => s?.key ?? '-').join(',')}`;
}

/**
 * Joins the fragments family by family: each collector's families in order, then the meta
 * families. A collector the view leaves out of an org contributes nothing for it.
 */
function assemble(view: CollectionView, fragments: readonly OrgFragments[], format: ExpositionFormat): Buffer[] {
  const groups = view.exporter ? [...view.orgs, view.exporter] : view.orgs;
  const body: Buffer[] = [];
  view.collectors.forEach((active, c) => {
    active.definition.families.forEach((family, f) => {
      const samples: Buffer[] = [];
      fragments.forEach((o, g) => {
        const bytes = groups[g]?.sources[c] === undefined ? undefined : o.sources[c]?.families[f];
        if (bytes !== undefined && bytes.length > 0) samples.push(bytes);
      });
      if (samples.length > 0) body.push(Buffer.from(header(family, format), 'utf8'), ...samples);
    });
  });
  const meta: string[] = [];
  META_FAMILIES.forEach((family, f) => {
    const samples = fragments.map((o) => o.meta[f] ?? '');
    if (samples.some((x) => x !== '')) meta.push(header(family, format), ...samples);
  });
  body.push(Buffer.from(meta.join(''), 'utf8'));
  return body;
}
