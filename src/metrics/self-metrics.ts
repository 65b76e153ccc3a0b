import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type RegistryContentType } from 'prom-client';
import type { TokenObserver } from '../auth/token-manager.js';
import type { ExpositionFormat } from '../lib/text-format.js';
import type { RequestObserver } from '../upstream/http-client.js';

/** Buckets for upstream latency: a SaaS API answers in 0.1–5 s, slow ones up to 30 s. */
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Content type of each format, from prom-client. */
export const CONTENT_TYPES: Readonly<Record<ExpositionFormat, RegistryContentType>> = {
  text: Registry.PROMETHEUS_CONTENT_TYPE,
  openmetrics: Registry.OPENMETRICS_CONTENT_TYPE,
};

/** One registry's worth of the exporter's own metrics. */
class MetricSet {
  readonly registry: Registry<RegistryContentType>;
  readonly tokenRefreshes: Counter<'org_id' | 'result'>;
  readonly tokenRefreshDuration: Histogram<'org_id'>;
  readonly tokenExpiry: Gauge<'org_id'>;
  readonly apiRequests: Counter<'endpoint' | 'code'>;
  readonly apiRequestDuration: Histogram<'endpoint'>;

  constructor(contentType: RegistryContentType, version: string, processMetrics: boolean, revision: string) {
    this.registry = new Registry<RegistryContentType>();
    this.registry.setContentType(contentType);
    const registers = [this.registry as Registry];
    this.tokenRefreshes = new Counter({
      name: 'vmc_token_refreshes_total',
      help: 'CSP access token requests by result (success or failure). org_id is empty for a token requested without orgId.',
      labelNames: ['org_id', 'result'],
      registers,
    });
    this.tokenRefreshDuration = new Histogram({
      name: 'vmc_token_refresh_duration_seconds',
      help: 'Duration of CSP access token requests, successful or not.',
      labelNames: ['org_id'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.tokenExpiry = new Gauge({
      name: 'vmc_token_expiry_timestamp_seconds',
      help: 'Unix time at which the current CSP access token expires.',
      labelNames: ['org_id'],
      registers,
    });
    this.apiRequests = new Counter({
      name: 'vmc_api_requests_total',
      help: 'Requests to the CSP and VMC APIs by endpoint and HTTP status code (or timeout, network, too_large, malformed).',
      labelNames: ['endpoint', 'code'],
      registers,
    });
    this.apiRequestDuration = new Histogram({
      name: 'vmc_api_request_duration_seconds',
      help: 'Duration of requests to the CSP and VMC APIs by endpoint, including failed ones.',
      labelNames: ['endpoint'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    const buildInfo = new Gauge({
      name: 'vmc_exporter_build_info',
      help: 'A metric with a constant 1 labelled by the exporter version, the git revision it was built from and the Node.js version it runs on.',
      labelNames: ['version', 'revision', 'nodejs_version'],
      registers,
    });
    buildInfo.set({ version, revision, nodejs_version: process.version }, 1);
    if (processMetrics) {
      collectDefaultMetrics({ register: this.registry as Registry, eventLoopMonitoringPrecision: 100 });
      // prom-client exposes these as gauges named *_total, which `promtool check metrics`
      // reports as a naming problem; they add little for an exporter, so drop them.
      for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
        this.registry.removeSingleMetric(name);
      }
    }
  }
}

/**
 * The exporter's own metrics, rendered on every scrape: token refreshes, upstream API
 * requests, build info and the Node.js process metrics. prom-client renders a registry in
 * one format, so there is one registry per format; every observation goes to both. Never
 * prom-client's global registry.
 */
export class SelfMetrics implements RequestObserver, TokenObserver {
  readonly #sets: Record<ExpositionFormat, MetricSet>;
  #version = 0;

  /**
   * @param version - exporter version for `vmc_exporter_build_info`
   * @param processMetrics - include `process_*` / `nodejs_*` (off in golden tests)
   * @param revision - the git revision for `vmc_exporter_build_info`. @default `unknown`
   */
  constructor(version: string, processMetrics = true, revision = 'unknown') {
    this.#sets = {
      text: new MetricSet(CONTENT_TYPES.text, version, processMetrics, revision),
      openmetrics: new MetricSet(CONTENT_TYPES.openmetrics, version, processMetrics, revision),
    };
  }

  /** Increases whenever a counter, histogram or token gauge changes (a render-cache key). */
  get version(): number {
    return this.#version;
  }

  /** The text-format registry (for tests reading values). */
  get registry(): Registry<RegistryContentType> {
    return this.#sets.text.registry;
  }

  /** Counts and times one upstream request. */
  requestDone(endpoint: string, code: string, seconds: number): void {
    for (const set of Object.values(this.#sets)) {
      set.apiRequests.inc({ endpoint, code });
      set.apiRequestDuration.observe({ endpoint }, seconds);
    }
    this.#version++;
  }

  /** Counts one token request (its duration when it reached CSP). */
  tokenRequested(orgId: string, result: 'success' | 'failure', seconds?: number): void {
    for (const set of Object.values(this.#sets)) {
      set.tokenRefreshes.inc({ org_id: orgId, result });
      if (seconds !== undefined) set.tokenRefreshDuration.observe({ org_id: orgId }, seconds);
    }
    this.#version++;
  }

  /** Creates the token request counters of `orgId` at 0 (`success` and `failure`). */
  tokenDeclared(orgId: string): void {
    for (const set of Object.values(this.#sets)) {
      for (const result of ['success', 'failure'] as const) set.tokenRefreshes.inc({ org_id: orgId, result }, 0);
    }
    this.#version++;
  }

  /** Creates `vmc_api_requests_total{endpoint, code}` at 0 for each of `codes`. */
  requestsDeclared(endpoint: string, codes: readonly string[]): void {
    for (const set of Object.values(this.#sets)) for (const code of codes) set.apiRequests.inc({ endpoint, code }, 0);
    this.#version++;
  }

  /** Records when the current token of `orgId` expires (Unix seconds). */
  tokenExpires(orgId: string, unixSeconds: number): void {
    for (const set of Object.values(this.#sets)) set.tokenExpiry.set({ org_id: orgId }, unixSeconds);
    this.#version++;
  }

  /**
   * Removes every series labelled with `orgId` (an org no longer collected): its token
   * requests, their durations and its token expiry.
   */
  forgetOrg(orgId: string): void {
    for (const set of Object.values(this.#sets)) {
      for (const result of ['success', 'failure']) set.tokenRefreshes.remove({ org_id: orgId, result });
      set.tokenRefreshDuration.remove({ org_id: orgId });
      set.tokenExpiry.remove({ org_id: orgId });
    }
    this.#version++;
  }

  /** Renders these metrics in `format` (OpenMetrics ends with `# EOF`). */
  render(format: ExpositionFormat = 'text'): Promise<string> {
    return this.#sets[format].registry.metrics();
  }
}
