/**
 * The composition root: builds every part from the configuration and wires them together.
 * Nothing else constructs dependencies.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { TokenPool } from './auth/token-pool.js';
import type { ActiveCollector } from './collect/collector.js';
import { COLLECTORS, PRIMARY_COLLECTOR } from './collect/collectors/index.js';
import { CollectionEngine } from './collect/engine.js';
import { DiscoveredOrgs, StaticOrgs, type OrgSource } from './collect/org-discovery.js';
import type { Config } from './config/config.js';
import { createApp } from './http/app.js';
import { createMetricsHandler } from './http/metrics-route.js';
import { closeGracefully, createServer } from './http/serve.js';
import { systemClock, type Clock } from './lib/clock.js';
import type { SecretRegistry } from './lib/secrets.js';
import { Semaphore } from './lib/semaphore.js';
import { ExpositionCache } from './metrics/exposition.js';
import { ScrapeTail } from './metrics/scrape-tail.js';
import { SelfMetrics } from './metrics/self-metrics.js';
import { createDispatcher } from './upstream/dispatcher.js';
import { HttpClient } from './upstream/http-client.js';
import { VmcClient } from './vmc/vmc-client.js';
import { WebConfigSource } from './web-config/index.js';

/** Dependencies the caller provides (tests inject their own). */
export interface ExporterDeps {
  /** Process logger. */
  readonly logger: Logger;
  /** Secret registry shared with the logger's scrubber. */
  readonly secrets: SecretRegistry;
  /** Exporter version. */
  readonly version: string;
  /** Time source. @default systemClock */
  readonly clock?: Clock;
  /** HTTP dispatcher for upstream calls. @default {@link createDispatcher} (proxies from the environment) */
  readonly dispatcher?: Dispatcher;
  /** Include process_* / nodejs_* metrics. @default true */
  readonly processMetrics?: boolean;
}

/** A running exporter. */
export interface Exporter {
  /** Base URL it listens on, e.g. `http://127.0.0.1:10040`. */
  readonly url: string;
  /** The HTTP(S) server. */
  readonly server: http.Server;
  /**
   * Stops accepting, lets in-flight requests finish (at most `graceMs`) while closing each
   * keep-alive connection as soon as it is idle, then aborts upstream calls still running.
   */
  close(graceMs?: number): Promise<void>;
}

/** Node timers overflow past 2^31-1 ms (~24.8 days) and would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Starts the exporter for `config`: the upstream clients, token pool, collectors and HTTP
 * server, and resolves once it listens.
 *
 * @throws ConfigError - a broken web config file (before anything listens)
 */
export async function startExporter(config: Config, deps: ExporterDeps): Promise<Exporter> {
  const { logger, secrets } = deps;
  const clock = deps.clock ?? systemClock;
  const webConfig = config.webConfigFile ? await WebConfigSource.open(config.webConfigFile, { logger }) : undefined;

  const lifetime = new AbortController();
  const dispatcher = deps.dispatcher ?? createDispatcher(process.env);
  const self = new SelfMetrics(deps.version, deps.processMetrics ?? true);
  const httpClient = new HttpClient({ dispatcher, observer: self, secrets, clock });
  const callBudgetMs = Math.min(config.requestTimeoutSeconds * 1000, MAX_TIMER_MS);
  const requests = new Semaphore(config.concurrency);
  const vmc = new VmcClient({
    http: httpClient,
    vmcUrl: config.vmcUrl,
    clock,
    callBudgetMs,
    limit: (task) => requests.run(task),
    signal: lifetime.signal,
  });
  const tokens = new TokenPool({
    auth: config.auth,
    perOrg: config.orgs.length > 0,
    csp: { http: httpClient, cspUrl: config.cspUrl, clock, timeoutMs: callBudgetMs },
    clock,
    observer: self,
    secrets,
    logger,
  });
  const orgs: OrgSource =
    config.orgs.length > 0 ? new StaticOrgs(config.orgs) : new DiscoveredOrgs(() => vmc.listOrgs(tokens.shared()), clock, logger);
  const engine = new CollectionEngine({
    collectors: activeCollectors(config),
    primary: PRIMARY_COLLECTOR,
    orgs,
    vmc,
    tokens: (orgId) => tokens.forOrg(orgId),
    clock,
    maxStaleMs: config.maxStaleSeconds * 1000,
    logger,
  });

  let ready = false;
  const app = createApp({
    telemetryPath: config.telemetryPath,
    metrics: createMetricsHandler({ engine, cache: new ExpositionCache(), tail: new ScrapeTail(self), timeoutOffsetSeconds: config.timeoutOffsetSeconds }),
    isReady: () => ready,
    maxRequests: config.maxRequests,
    version: deps.version,
    onError: (err) => logger.error({ err }, 'request failed'),
    webConfig,
  });
  const server = createServer(app, { webConfig });
  try {
    await listen(server, config.listen.port, config.listen.host);
  } catch (err) {
    await dispatcher.destroy().catch(() => undefined);
    throw err;
  }
  ready = true;
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const scheme = server instanceof https.Server ? 'https' : 'http';
  const url = `${scheme}://${host}:${address.port}`;
  logger.info(
    {
      address: url,
      telemetry_path: config.telemetryPath,
      orgs: config.orgs.length > 0 ? config.orgs : 'discovered',
      auth: config.auth.kind,
      collectors: engine.collectors.map((c) => c.definition.name),
    },
    'listening',
  );

  return {
    url,
    server,
    async close(graceMs = 10_000) {
      ready = false;
      await closeGracefully(server, graceMs);
      lifetime.abort();
      await dispatcher.destroy().catch(() => undefined);
    },
  };
}

/** The enabled collectors with their settings, in registry order (those needing other credentials left out). */
function activeCollectors(config: Config): ActiveCollector[] {
  return COLLECTORS.flatMap((definition) => {
    const settings = config.collectors[definition.name];
    if (settings === undefined || !settings.enabled) return [];
    if (definition.credentials !== undefined && definition.credentials !== config.auth.kind) return [];
    return [{ definition, ttlMs: Math.min(settings.ttlSeconds * 1000, MAX_TIMER_MS), options: settings.options }];
  });
}

/** Listens and resolves once listening, or rejects with the listen error (EADDRINUSE, …). */
function listen(server: http.Server, port: number, host: string | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
