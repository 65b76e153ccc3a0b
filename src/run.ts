/**
 * The composition root: builds every part from the configuration and wires them together.
 * Nothing else constructs dependencies.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { apiTokenExchange, oauthExchange, type CspClientOptions } from './auth/csp-client.js';
import { TokenManager } from './auth/token-manager.js';
import { Collector } from './collect/collector.js';
import { DiscoveredOrgs, StaticOrgs, type OrgSource } from './collect/org-discovery.js';
import type { AuthConfig, Config } from './config/config.js';
import { createApp } from './http/app.js';
import { createMetricsHandler } from './http/metrics-route.js';
import { createServer } from './http/serve.js';
import { loadWebConfig } from './http/web-config.js';
import { systemClock, type Clock } from './lib/clock.js';
import type { SecretRegistry } from './lib/secrets.js';
import { ExpositionCache } from './metrics/exposition.js';
import { ScrapeTail } from './metrics/scrape-tail.js';
import { SelfMetrics } from './metrics/self-metrics.js';
import { startSimulator, type Simulator } from './sim/server.js';
import { createDispatcher } from './upstream/dispatcher.js';
import { HttpClient } from './upstream/http-client.js';
import { VmcClient } from './vmc/vmc-client.js';

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
  /** HTTP dispatcher for upstream calls. @default {@link createDispatcher} (proxies from the environment; none in demo mode) */
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
  /** The built-in simulator in demo mode. */
  readonly simulator: Simulator | undefined;
  /** Stops accepting, lets in-flight scrapes finish (at most `graceMs`), closes everything. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Starts the exporter for `config`: in demo mode the simulator first, then the upstream
 * clients, token managers, collector and HTTP server, and resolves once it listens.
 */
export async function startExporter(config: Config, deps: ExporterDeps): Promise<Exporter> {
  const { logger, secrets } = deps;
  const clock = deps.clock ?? systemClock;
  // A broken web config is a startup error: check it before anything else starts.
  if (config.webConfigFile) await loadWebConfig(config.webConfigFile);
  let simulator: Simulator | undefined;
  let auth = config.auth;
  let cspUrl = config.cspUrl;
  let vmcUrl = config.vmcUrl;
  let orgs = config.orgs;
  if (config.demo) {
    simulator = await startSimulator({ movement: true });
    const { clientId, clientSecret } = simulator.credentials;
    secrets.add(clientSecret);
    auth = { kind: 'oauth', clientId, readSecret: () => Promise.resolve(clientSecret), secretSource: 'the built-in simulator' };
    cspUrl = vmcUrl = simulator.url;
    if (orgs.length === 0) orgs = simulator.orgIds;
    logger.info({ simulator: simulator.url, orgs }, 'demo mode: scraping the built-in simulator');
  }
  if (!auth) throw new Error('no credentials configured');

  const dispatcher = deps.dispatcher ?? createDispatcher(process.env, config.demo);
  const self = new SelfMetrics(deps.version, deps.processMetrics ?? true);
  const httpClient = new HttpClient({ dispatcher, metrics: self, secrets, clock });
  // Node timers overflow past 2^31-1 ms (~24.8 days) and would fire at once.
  const timeoutMs = Math.min(config.requestTimeoutSeconds * 1000, 2 ** 31 - 1);
  const csp: CspClientOptions = { http: httpClient, cspUrl, clock, timeoutMs, secrets };
  const vmc = new VmcClient({ http: httpClient, vmcUrl, clock, requestTimeoutMs: timeoutMs });

  const makeTokens = (orgId: string | undefined): TokenManager =>
    new TokenManager({
      orgLabel: orgId ?? '',
      readSecret: registeringReader(auth, secrets),
      exchange: auth.kind === 'oauth' ? oauthExchange(csp, auth.clientId, orgId) : apiTokenExchange(csp),
      clock,
      metrics: self,
      secrets,
      logger,
    });
  const shared = auth.kind === 'api-token' || orgs.length === 0 ? makeTokens(undefined) : undefined;
  const perOrg = new Map<string, TokenManager>();
  const tokensFor = (orgId: string): TokenManager => {
    if (shared) return shared;
    let t = perOrg.get(orgId);
    if (!t) perOrg.set(orgId, (t = makeTokens(orgId)));
    return t;
  };
  const deadline = (): number => clock.now() + timeoutMs;
  const orgSource: OrgSource =
    orgs.length > 0 ? new StaticOrgs(orgs) : new DiscoveredOrgs(async () => vmc.listOrgs(tokensFor(''), deadline()), clock, logger);
  const collector = new Collector({
    orgs: orgSource,
    fetchSddcs: (orgId) => vmc.listSddcs(orgId, tokensFor(orgId), deadline()),
    clock,
    ttlMs: config.cacheTtlSeconds * 1000,
    maxStaleMs: config.maxStaleSeconds * 1000,
    concurrency: config.concurrency,
    logger,
  });

  let ready = false;
  const app = createApp({
    telemetryPath: config.telemetryPath,
    metrics: createMetricsHandler({ collector, cache: new ExpositionCache(), tail: new ScrapeTail(self), timeoutOffsetSeconds: config.timeoutOffsetSeconds }),
    isReady: () => ready,
    maxRequests: config.maxRequests,
    version: deps.version,
    onError: (err) => logger.error({ err }, 'request failed'),
  });
  let server: http.Server;
  try {
    server = await createServer(app, { webConfigPath: config.webConfigFile, logger });
    await listen(server, config.listen.port, config.listen.host);
  } catch (err) {
    await dispatcher.destroy().catch(() => undefined);
    await simulator?.close();
    throw err;
  }
  ready = true;
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const scheme = server instanceof https.Server ? 'https' : 'http';
  const url = `${scheme}://${host}:${address.port}`;
  logger.info({ address: url, telemetry_path: config.telemetryPath, orgs: orgs.length > 0 ? orgs : 'discovered', auth: auth.kind }, 'listening');

  return {
    url,
    server,
    simulator,
    async close(graceMs = 10_000) {
      ready = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
      // Scrapes are done; collections still running in the background are abandoned.
      await dispatcher.destroy().catch(() => undefined);
      await simulator?.close();
    },
  };
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

/** Wraps the secret reader so every value read is registered for scrubbing. */
function registeringReader(auth: AuthConfig, secrets: SecretRegistry): () => Promise<string> {
  return async () => {
    const value = await auth.readSecret();
    secrets.add(value);
    return value;
  };
}
