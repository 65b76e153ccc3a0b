/**
 * The composition root: builds every part from the configuration and wires them together.
 * Nothing else constructs dependencies.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { API_TOKEN_REJECTION_STATUSES, OAUTH_REJECTION_STATUSES } from './auth/csp-client.js';
import { TokenPool } from './auth/token-pool.js';
import type { ActiveCollector } from './collect/collector.js';
import { COLLECTORS, PRIMARY_COLLECTOR } from './collect/collectors/index.js';
import { CollectionEngine } from './collect/engine.js';
import { DiscoveredOrgs, StaticOrgs, type OrgSource } from './collect/org-discovery.js';
import type { Config } from './config/config.js';
import type { BuildInfo } from './config/help.js';
import { createApp } from './http/app.js';
import { createMetricsHandler } from './http/metrics-route.js';
import { createProbeHandler } from './http/probe-route.js';
import { createStatusHandler } from './http/status-page.js';
import { closeGracefully, createServer, listenOn, resolveListenAddresses } from './http/serve.js';
import { systemClock, type Clock } from './lib/clock.js';
import type { SecretRegistry } from './lib/secrets.js';
import { Semaphore } from './lib/semaphore.js';
import { ExpositionCache } from './metrics/exposition.js';
import { ScrapeTail } from './metrics/scrape-tail.js';
import { SelfMetrics } from './metrics/self-metrics.js';
import { removeRuntimeFile, writeRuntimeFile } from './healthcheck/runtime-file.js';
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
  /** Build facts for `vmc_exporter_build_info` (the revision). @default revision `unknown` */
  readonly build?: BuildInfo;
  /** Time source. @default systemClock */
  readonly clock?: Clock;
  /** HTTP dispatcher for upstream calls. @default {@link createDispatcher} (proxies from the environment) */
  readonly dispatcher?: Dispatcher;
  /** Include process_* / nodejs_* metrics. @default true */
  readonly processMetrics?: boolean;
  /**
   * Where to record how `vmc-exporter healthcheck` reaches this exporter (see
   * `src/healthcheck/runtime-file.ts`); removed again at close. @default not recorded
   */
  readonly runtimeFile?: string;
}

/** A running exporter. */
export interface Exporter {
  /** Base URL of the first listen address, e.g. `http://127.0.0.1:10040`. */
  readonly url: string;
  /** Base URL of every listen address, in `--web.listen-address` order. */
  readonly urls: readonly string[];
  /** The HTTP(S) server of the first listen address. */
  readonly server: http.Server;
  /** One HTTP(S) server per listen address, in the same order. */
  readonly servers: readonly http.Server[];
  /**
   * Stops accepting, lets in-flight requests finish (at most `graceMs`) while closing each
   * keep-alive connection as soon as it is idle, then aborts upstream calls still running.
   */
  close(graceMs?: number): Promise<void>;
  /** Reads `--web.config.file` again now (SIGHUP); false when there is none. */
  reloadWebConfig(): Promise<boolean>;
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
  const self = new SelfMetrics(deps.version, deps.processMetrics ?? true, deps.build?.revision);
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
    csp: { http: httpClient, cspUrl: config.cspUrl, clock, timeoutMs: callBudgetMs, secrets },
    clock,
    observer: self,
    secrets,
    logger,
  });
  declareFailureSeries(config, tokens, self);
  const orgs: OrgSource =
    config.orgs.length > 0 || !config.discover
      ? new StaticOrgs(config.orgs)
      : new DiscoveredOrgs(() => vmc.listOrgs(tokens.shared()), clock, logger);
  const cache = new ExpositionCache();
  const probeIdleMs = Math.min(config.probeIdleSeconds * 1000, MAX_TIMER_MS);
  const engine = new CollectionEngine({
    collectors: activeCollectors(config),
    primary: PRIMARY_COLLECTOR,
    orgs,
    vmc,
    tokens: (orgId, probedOnly) => tokens.forOrg(orgId, probedOnly),
    clock,
    maxStaleMs: config.maxStaleSeconds * 1000,
    logger,
    scrub: (text) => secrets.scrub(text),
    probes: { idleMs: probeIdleMs, maxOrgs: config.probeMaxOrgs },
    forget: (orgId) => {
      tokens.forget(orgId);
      self.forgetOrg(orgId);
      cache.forget(orgId);
      logger.debug({ org_id: orgId }, 'org forgotten: no longer listed or probed');
    },
  });
  // Idle probed orgs go even while nothing scrapes or probes.
  const sweeper = setInterval(() => engine.sweep(), Math.min(Math.max(probeIdleMs / 4, 1000), 60_000));
  sweeper.unref();

  let ready = false;
  const app = createApp({
    telemetryPath: config.telemetryPath,
    metrics: createMetricsHandler({ engine, cache, tail: new ScrapeTail(self), timeoutOffsetSeconds: config.timeoutOffsetSeconds }),
    probe: {
      path: config.probePath,
      handler: createProbeHandler({
        engine,
        cache,
        collectors: { active: engine.collectors.map((c) => c.definition.name), known: COLLECTORS.map((c) => c.name) },
        timeoutOffsetSeconds: config.timeoutOffsetSeconds,
      }),
    },
    isReady: () => ready,
    maxRequests: config.maxRequests,
    version: deps.version,
    onError: (err) => logger.error({ err }, 'request failed'),
    webConfig,
    landing: createStatusHandler({
      view: () => engine.snapshot(),
      tokenExpiry: (orgId) => tokens.peek(orgId)?.expiresAt,
      clock,
      version: deps.version,
      telemetryPath: config.telemetryPath,
      probePath: config.probePath,
      configuredOrgs: config.orgs,
    }),
  });
  const servers: http.Server[] = [];
  try {
    await resolveListenAddresses(config.listen);
    for (const address of config.listen) {
      const server = createServer(app, { webConfig });
      await listenOn(server, address);
      servers.push(server);
    }
  } catch (err) {
    clearInterval(sweeper);
    for (const server of servers) await closeGracefully(server, 0);
    await dispatcher.destroy().catch(() => undefined);
    throw err;
  }
  ready = true;
  const urls = servers.map((server) => baseUrl(server));
  // The runtime file is in place before `listening` is logged: a healthcheck run from then on finds it.
  const recorded = deps.runtimeFile === undefined ? undefined : await recordRuntime(deps.runtimeFile, servers, config, logger);
  for (const url of urls) {
    logger.info(
      {
        address: url,
        telemetry_path: config.telemetryPath,
        probe_path: config.probePath,
        orgs: config.orgs.length > 0 ? config.orgs : config.discover ? 'discovered' : 'none (probes only)',
        auth: config.auth.kind,
        collectors: engine.collectors.map((c) => c.definition.name),
      },
      'listening',
    );
  }

  return {
    url: urls[0]!,
    urls,
    server: servers[0]!,
    servers,
    async reloadWebConfig() {
      if (webConfig === undefined) return false;
      await webConfig.reload();
      return true;
    },
    async close(graceMs = 10_000) {
      ready = false;
      clearInterval(sweeper);
      if (recorded !== undefined) await removeRuntimeFile(recorded);
      await Promise.all(servers.map((server) => closeGracefully(server, graceMs)));
      lifetime.abort();
      await dispatcher.destroy().catch(() => undefined);
    },
  };
}

/** Writes the runtime file for `vmc-exporter healthcheck`; a failure is logged, not fatal. */
async function recordRuntime(path: string, servers: readonly http.Server[], config: Config, logger: Logger): Promise<string | undefined> {
  const { certFile, keyFile } = config.healthcheck;
  const result = await writeRuntimeFile(path, {
    pid: process.pid,
    urls: servers.map((server) => baseUrl(server, true)),
    ...(certFile !== undefined && keyFile !== undefined ? { clientCert: { certFile, keyFile } } : {}),
  });
  if ('problem' in result) {
    logger.warn({ problem: result.problem }, 'cannot record the runtime file; `vmc-exporter healthcheck` then needs the exporter\'s flags');
    return undefined;
  }
  return result.path;
}

/**
 * The base URL a listening server answers on, e.g. `https://[::1]:10040`; with `loopback`,
 * an all-interfaces address (`0.0.0.0`, `::`) becomes `127.0.0.1`, the address a check from
 * the same host uses.
 */
function baseUrl(server: http.Server, loopback = false): string {
  const address = server.address() as AddressInfo;
  const any = address.address === '0.0.0.0' || address.address === '::';
  const host = loopback && any ? '127.0.0.1' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${server instanceof https.Server ? 'https' : 'http'}://${host}:${address.port}`;
}

/**
 * Makes the failure counters of the credential path exist at 0 before the first scrape, so
 * that `increase()` sees a later first failure (a rotated secret): the request counters
 * (`success`, `failure`) of every token the exporter will use (each `--vmc.org` of an OAuth
 * app, else the one without orgId; none yet for an OAuth app that only serves probes), and `vmc_api_requests_total` of the CSP endpoint for
 * each status with which CSP rejects the credentials. Collection failures need no such
 * series: `vmc_up` and `vmc_collector_success` are gauges, present from the first scrape.
 */
function declareFailureSeries(config: Config, tokens: TokenPool, self: SelfMetrics): void {
  if (config.orgs.length > 0) for (const org of config.orgs) tokens.forOrg(org);
  else if (config.discover || config.auth.kind === 'api-token') tokens.shared();
  const oauth = config.auth.kind === 'oauth';
  self.requestsDeclared(oauth ? 'token' : 'api-token', (oauth ? OAUTH_REJECTION_STATUSES : API_TOKEN_REJECTION_STATUSES).map(String));
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
