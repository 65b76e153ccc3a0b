/**
 * What the Express route costs, run as its own child process: fetches every org's SDDC
 * list from the simulator once (as `parse-floor.ts` does), builds the exporter's real
 * collection engine, exposition cache, scrape tail and Express app over it (TTL of an hour,
 * so every scrape is a cached one), and serves it twice:
 * - `express`: the exporter's own app, `/metrics` an Express route behind `edge()`;
 * - `bypass`: a bare `node:http` listener that hands `GET /metrics` straight to the same
 *   metrics handler (with Express's request/response prototypes, which the handler uses),
 *   skipping Express's router and middleware, and everything else to the app.
 * `node --import tsx bench/route-cost.ts '<RouteCostSpec JSON>'` prints
 * `{"express": URL, "bypass": URL}` once both listen and serves until SIGTERM.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { request } from 'undici';
import type { TokenManager } from '../src/auth/token-manager.js';
import { sddcsCollector } from '../src/collect/collectors/sddcs.js';
import { CollectionEngine } from '../src/collect/engine.js';
import { StaticOrgs } from '../src/collect/org-discovery.js';
import { createApp } from '../src/http/app.js';
import { createMetricsHandler } from '../src/http/metrics-route.js';
import { systemClock } from '../src/lib/clock.js';
import { ExpositionCache } from '../src/metrics/exposition.js';
import { ScrapeTail } from '../src/metrics/scrape-tail.js';
import { SelfMetrics } from '../src/metrics/self-metrics.js';
import { parseSddcList } from '../src/vmc/parse-sddcs.js';
import type { SddcList } from '../src/vmc/types.js';
import type { VmcClient } from '../src/vmc/vmc-client.js';

/** Where to fetch the bodies. */
export interface RouteCostSpec {
  /** Simulator base URL (CSP and VMC). */
  readonly url: string;
  /** OAuth app id. */
  readonly clientId: string;
  /** OAuth app secret. */
  readonly clientSecret: string;
  /** Org ids. */
  readonly orgs: readonly string[];
}

async function fetchLists(spec: RouteCostSpec): Promise<Map<string, SddcList>> {
  const lists = new Map<string, SddcList>();
  for (const org of spec.orgs) {
    const form = new URLSearchParams({ grant_type: 'client_credentials', orgId: org });
    const basic = Buffer.from(`${spec.clientId}:${spec.clientSecret}`).toString('base64');
    const tokenRes = await request(`${spec.url}/csp/gateway/am/api/auth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    const { access_token: token } = (await tokenRes.body.json()) as { access_token: string };
    const res = await request(`${spec.url}/vmc/api/orgs/${org}/sddcs`, { headers: { 'csp-auth-token': token } });
    lists.set(org, parseSddcList(await res.body.json()));
  }
  return lists;
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

async function main(spec: RouteCostSpec): Promise<void> {
  const lists = await fetchLists(spec);
  const logger = pino({ level: 'silent' });
  const engine = new CollectionEngine({
    collectors: [{ definition: { ...sddcsCollector, fetch: async (ctx) => lists.get(ctx.orgId)! }, ttlMs: 3_600_000, options: {} }],
    primary: 'sddcs',
    orgs: new StaticOrgs(spec.orgs),
    vmc: {} as VmcClient,
    tokens: () => ({}) as TokenManager,
    clock: systemClock,
    maxStaleMs: 300_000,
    logger,
  });
  const metrics = createMetricsHandler({ engine, cache: new ExpositionCache(), tail: new ScrapeTail(new SelfMetrics('bench')), timeoutOffsetSeconds: 0.5 });
  const app = createApp({ telemetryPath: '/metrics', metrics, isReady: () => true, maxRequests: 0, version: 'bench', onError: () => undefined });
  const express = http.createServer(app);
  const bypass = http.createServer((req, res) => {
    if (req.url === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      Object.setPrototypeOf(req, app.request);
      Object.setPrototypeOf(res, app.response);
      Object.assign(req, { res, app });
      Object.assign(res, { req, app });
      void metrics(req as never, res as never, () => undefined);
      return;
    }
    app(req, res);
  });
  for (const s of [express, bypass]) s.keepAliveTimeout = 65_000;
  const urls = { express: await listen(express), bypass: await listen(bypass) };
  process.stdout.write(`${JSON.stringify(urls)}\n`);
  const stop = (): void => {
    for (const s of [express, bypass]) {
      s.closeAllConnections();
      s.close();
    }
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main(JSON.parse(process.argv[2] ?? '{}') as RouteCostSpec);
}
