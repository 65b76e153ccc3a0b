/**
 * The floor for a cold scrape, run as its own child process: fetches every org's SDDC list
 * body from the simulator once (with an org-scoped OAuth token, like the exporter), then
 * times, over several runs, the steps the exporter cannot avoid or does in-process:
 * `JSON.parse` of all bodies (the floor the cold-scrape target is measured against), and
 * for the breakdown UTF-8 decoding, `parseSddcList`, rendering and encoding the exposition,
 * and a minimal client (parallel fetch, decode and `JSON.parse` of every body).
 *
 * `node --import tsx bench/parse-floor.ts '<FloorSpec JSON>'` prints one
 * {@link FloorResult} JSON line.
 */
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { sddcsCollector } from '../src/collect/collectors/sddcs.js';
import type { CollectionView } from '../src/collect/engine.js';
import { ExpositionCache } from '../src/metrics/exposition.js';
import { parseSddcList } from '../src/vmc/parse-sddcs.js';
import type { SddcList } from '../src/vmc/types.js';
import { median } from './stats.js';

/** Where to fetch the bodies and how often to time. */
export interface FloorSpec {
  /** Simulator base URL (CSP and VMC). */
  readonly url: string;
  /** OAuth app id. */
  readonly clientId: string;
  /** OAuth app secret. */
  readonly clientSecret: string;
  /** Org ids. */
  readonly orgs: readonly string[];
  /** Timed runs per step. @default 7 */
  readonly runs?: number;
  /** Latency the simulator adds to every VMC answer, ms (subtracted from fetch times). @default 0 */
  readonly latencyMs?: number;
}

/** Median ms per step over all orgs' bodies, and the body sizes. */
export interface FloorResult {
  /** Number of bodies (orgs). */
  readonly bodies: number;
  /** Total size of the SDDC list bodies, bytes. */
  readonly bytes: number;
  /** Timed runs per step. */
  readonly runs: number;
  /** Median ms of `JSON.parse` of every body (strings already decoded): the floor. */
  readonly jsonParseMs: number;
  /** Every run of `JSON.parse`, ms. */
  readonly jsonParseRunsMs: readonly number[];
  /** Median ms of decoding every body from UTF-8 bytes to a string. */
  readonly decodeMs: number;
  /** Median ms of `parseSddcList` on every parsed body. */
  readonly parseSddcListMs: number;
  /** Median ms of rendering every org (the exposition cache, empty) and encoding it to bytes. */
  readonly renderMs: number;
  /** Size of the rendered data part, bytes. */
  readonly renderedBytes: number;
  /**
   * Median ms of a minimal client: every org's body fetched in parallel (tokens already
   * held), decoded and `JSON.parse`d, minus the simulator latency. Runs: `ceil(runs / 2)`.
   */
  readonly minimalClientMs: number;
}

async function token(spec: FloorSpec, orgId: string): Promise<string> {
  const res = await request(`${spec.url}/csp/gateway/am/api/auth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${spec.clientId}:${spec.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', orgId }).toString(),
  });
  const json = (await res.body.json()) as { access_token?: string };
  if (res.statusCode !== 200 || typeof json.access_token !== 'string') throw new Error(`token for ${orgId}: HTTP ${res.statusCode}`);
  return json.access_token;
}

async function body(spec: FloorSpec, orgId: string, accessToken: string): Promise<Buffer> {
  const res = await request(`${spec.url}/vmc/api/orgs/${encodeURIComponent(orgId)}/sddcs`, {
    headers: { 'csp-auth-token': accessToken, accept: 'application/json' },
  });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  if (res.statusCode !== 200) throw new Error(`SDDC list of ${orgId}: HTTP ${res.statusCode}`);
  return bytes;
}

function time(runs: number, fn: () => void): number[] {
  fn(); // one untimed run: code warm, memory grown
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    out.push(performance.now() - t);
  }
  return out;
}

/** Fetches the bodies and times each step. */
export async function measureFloor(spec: FloorSpec): Promise<FloorResult> {
  const runs = spec.runs ?? 7;
  const tokens: string[] = [];
  for (const org of spec.orgs) tokens.push(await token(spec, org));
  // the minimal client first, while this process holds nothing else
  let sink = 0;
  const clientRuns: number[] = [];
  // one untimed run first (connections open, code warm), like the exporter's first scrape
  for (let i = 0; i <= Math.ceil(runs / 2); i++) {
    const t = performance.now();
    const parsedAll = await Promise.all(spec.orgs.map(async (org, k) => JSON.parse((await body(spec, org, tokens[k] ?? '')).toString('utf8')) as unknown[]));
    if (i > 0) clientRuns.push(performance.now() - t - (spec.latencyMs ?? 0));
    sink += parsedAll.length;
  }
  const buffers: Buffer[] = [];
  for (const [i, org] of spec.orgs.entries()) buffers.push(await body(spec, org, tokens[i] ?? ''));
  const texts = buffers.map((b) => b.toString('utf8'));

  const decodeRuns = time(runs, () => {
    for (const b of buffers) sink += b.toString('utf8').length;
  });
  const parseRuns = time(runs, () => {
    for (const t of texts) sink += (JSON.parse(t) as unknown[]).length;
  });
  const parsed = texts.map((t) => JSON.parse(t) as unknown);
  const listRuns = time(runs, () => {
    for (const p of parsed) sink += parseSddcList(p).sddcs.length;
  });
  const lists: SddcList[] = parsed.map((p) => parseSddcList(p));
  let renderedBytes = 0;
  const renderRuns = time(runs, () => {
    const view: CollectionView = {
      collectors: [{ definition: sddcsCollector, ttlMs: 60_000, options: {} }],
      orgs: lists.map((list, i) => {
        const source = { up: true, data: list, durationSeconds: 1, lastSuccessSeconds: 1, key: String(i) };
        return { orgId: spec.orgs[i] ?? '', sources: [source], up: true, primary: source };
      }),
      exporter: undefined,
      orgListFailed: false,
    };
    renderedBytes = new ExpositionCache().body(view).byteLength;
  });
  if (sink < 0) process.stderr.write('unreachable\n');
  return {
    bodies: buffers.length,
    bytes: buffers.reduce((a, b) => a + b.length, 0),
    runs,
    jsonParseMs: median(parseRuns),
    jsonParseRunsMs: parseRuns,
    decodeMs: median(decodeRuns),
    parseSddcListMs: median(listRuns),
    renderMs: median(renderRuns),
    renderedBytes,
    minimalClientMs: median(clientRuns),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const raw = process.argv[2];
  if (raw === undefined) {
    process.stderr.write('usage: parse-floor.ts <FloorSpec JSON>\n');
    process.exit(2);
  }
  measureFloor(JSON.parse(raw) as FloorSpec).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (err: unknown) => {
      process.stderr.write(`parse-floor: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
