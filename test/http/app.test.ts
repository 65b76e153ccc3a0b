import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import type { TokenManager } from '../../src/auth/token-manager.js';
import { sddcsCollector } from '../../src/collect/collectors/sddcs.js';
import { CollectionEngine } from '../../src/collect/engine.js';
import { StaticOrgs } from '../../src/collect/org-discovery.js';
import { createApp } from '../../src/http/app.js';
import { acceptsGzip, createMetricsHandler, negotiateFormat, scrapeBudgetMs } from '../../src/http/metrics-route.js';
import { systemClock } from '../../src/lib/clock.js';
import type { VmcClient } from '../../src/vmc/vmc-client.js';
import { ExpositionCache } from '../../src/metrics/exposition.js';
import { ScrapeTail } from '../../src/metrics/scrape-tail.js';
import { SelfMetrics } from '../../src/metrics/self-metrics.js';
import type { SddcList } from '../../src/vmc/types.js';
import { captureLogger } from '../helpers/log-sink.js';

describe('scrape budget', () => {
  const cases: Array<[string | undefined, number, number]> = [
    ['10', 0.5, 9500],
    ['30', 0.5, 29_500],
    ['0.4', 0.5, 200],
    [undefined, 0.5, 9500],
    ['nonsense', 0.5, 9500],
    ['-3', 0.5, 9500],
    ['2', 0, 2000],
    ['1e9', 0.5, 299_500],
    ['Infinity', 0.5, 9500],
  ];
  for (const [header, offset, want] of cases) test(`header ${header} offset ${offset} → ${want} ms`, () => assert.equal(scrapeBudgetMs(header, offset), want));
});

/** Runs `f` on a real Express request carrying `headers`. */
async function onRequest<T>(headers: Record<string, string>, f: (req: express.Request) => T): Promise<T> {
  const app = express();
  let result: T | undefined;
  app.get('/', (req, res) => {
    result = f(req);
    res.end();
  });
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/', headers }, (res) => res.resume().on('end', resolve)).on('error', reject);
    });
  } finally {
    server.close();
  }
  return result as T;
}

describe('Accept-Encoding', () => {
  const cases: Array<[string | undefined, boolean]> = [
    ['gzip', true],
    ['gzip, deflate, br', true],
    ['deflate, gzip;q=0.5', true],
    ['gzip;q=0', false],
    ['identity', false],
    ['*', true],
    [undefined, false],
  ];
  for (const [h, want] of cases) test(String(h), async () => assert.equal(await onRequest(h === undefined ? {} : { 'accept-encoding': h }, acceptsGzip), want));
});

describe('Accept: OpenMetrics when asked for first, the text format otherwise', () => {
  const cases: Array<[string | undefined, 'text' | 'openmetrics']> = [
    ['application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1', 'openmetrics'],
    ['application/openmetrics-text; version=0.0.1', 'openmetrics'],
    ['text/plain;version=0.0.4', 'text'],
    ['text/plain;q=0.5,application/openmetrics-text;q=0.4', 'text'],
    ['*/*', 'text'],
    ['application/json', 'text'],
    [undefined, 'text'],
  ];
  for (const [h, want] of cases) test(String(h), async () => assert.equal(await onRequest(h === undefined ? {} : { accept: h }, negotiateFormat), want));
});

describe('HTTP app', () => {
  const log = captureLogger();
  let release!: () => void;
  let hold = new Promise<void>((r) => (release = r));
  let server: http.Server;
  let url: string;
  const list: SddcList = { sddcs: [], problems: [] };
  before(async () => {
    const engine = new CollectionEngine({
      collectors: [{ definition: { ...sddcsCollector, fetch: async () => (await hold, list) }, ttlMs: 0, options: {} }],
      primary: 'sddcs',
      orgs: new StaticOrgs(['org-a']),
      vmc: {} as VmcClient,
      tokens: () => ({}) as TokenManager,
      clock: systemClock,
      maxStaleMs: 0,
      logger: log.logger,
    });
    const app = createApp({
      telemetryPath: '/metrics',
      metrics: createMetricsHandler({ engine, cache: new ExpositionCache(), tail: new ScrapeTail(new SelfMetrics('t', false)), timeoutOffsetSeconds: 0.5 }),
      isReady: () => true,
      maxRequests: 1,
      version: '1.2.3',
      onError: () => undefined,
    });
    server = http.createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    release();
    server.closeAllConnections();
    server.close();
  });

  test('a hanging upstream still gets an answer by the deadline, with vmc_up 0', async () => {
    const started = Date.now();
    const res = await fetch(`${url}/metrics`, { headers: { 'x-prometheus-scrape-timeout-seconds': '1' } });
    const text = await res.text();
    assert.equal(res.status, 200);
    assert.match(text, /vmc_up\{org_id="org-a"\} 0/);
    assert.ok(Date.now() - started < 3000, 'answered near the 0.5 s budget');
  });

  test('scrapes beyond --web.max-requests get 503 at once', async () => {
    const first = fetch(`${url}/metrics`, { headers: { 'x-prometheus-scrape-timeout-seconds': '2' } });
    await new Promise((r) => setTimeout(r, 100));
    const second = await fetch(`${url}/metrics`);
    assert.equal(second.status, 503);
    assert.match(await second.text(), /--web.max-requests/);
    release();
    assert.equal((await first).status, 200);
    hold = Promise.resolve();
  });

  test('HEAD /metrics sends headers only', async () => {
    const res = await fetch(`${url}/metrics`, { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(await res.text(), '');
  });

  test('landing page links to the telemetry path and carries security headers', async () => {
    const res = await fetch(`${url}/`);
    assert.match(await res.text(), /<a href="\/metrics">/);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.equal(res.headers.get('x-powered-by'), null);
  });

  test('only GET and HEAD; unknown paths 404; malformed URLs 400 without details', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const res = await fetch(`${url}/metrics`, { method });
      assert.equal(res.status, 405, method);
      assert.equal(res.headers.get('allow'), 'GET, HEAD');
    }
    assert.equal((await fetch(`${url}/admin`)).status, 404);
    const bad = await fetch(`${url}/%E0%A4%A`);
    assert.ok(bad.status === 400 || bad.status === 404, String(bad.status));
    assert.doesNotMatch(await bad.text(), /Error|at |node_modules|express/);
  });

  test('the telemetry path is an exact, case-sensitive path', async () => {
    hold = Promise.resolve();
    assert.equal((await fetch(`${url}/METRICS`)).status, 404);
    assert.equal((await fetch(`${url}/metrics/`)).status, 404);
    assert.equal((await fetch(`${url}/metrics?x=1`)).status, 200);
  });

  test('Prometheus asking for OpenMetrics first gets it, ending in # EOF, with counters named as OpenMetrics says', async () => {
    hold = Promise.resolve();
    const res = await fetch(`${url}/metrics`, {
      headers: { accept: 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1' },
    });
    assert.equal(res.headers.get('content-type'), 'application/openmetrics-text; version=1.0.0; charset=utf-8');
    const text = await res.text();
    assert.ok(text.endsWith('# EOF\n'), 'ends with # EOF');
    assert.equal(text.match(/# EOF/g)?.length, 1);
    assert.match(text, /# TYPE vmc_up gauge\n/);
    assert.match(text, /org_id=\\"\\" reports listing the orgs/, 'quotes escaped in HELP');
    const plain = await (await fetch(`${url}/metrics`)).text();
    assert.doesNotMatch(plain, /# EOF/);
  });

  test('health and readiness', async () => {
    assert.equal(await (await fetch(`${url}/-/healthy`)).text(), 'OK\n');
    assert.equal((await fetch(`${url}/-/ready`)).status, 200);
  });
});
