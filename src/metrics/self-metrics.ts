import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The upstream endpoints, as `endpoint` label values. */
export type Endpoint = 'token' | 'api-token' | 'orgs' | 'sddcs';

/** Buckets for upstream latency: a SaaS API answers in 0.1–5 s, slow ones up to 30 s. */
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The exporter's own metrics, rendered on every scrape: token refreshes, upstream API
 * requests, build info and the Node.js process metrics. Kept in a registry of its own,
 * never prom-client's global one.
 */
export class SelfMetrics {
  /** The registry holding everything below. */
  readonly registry = new Registry();
  /** `vmc_token_refreshes_total{org_id,result}`. */
  readonly tokenRefreshes: Counter<'org_id' | 'result'>;
  /** `vmc_token_refresh_duration_seconds{org_id}`. */
  readonly tokenRefreshDuration: Histogram<'org_id'>;
  /** `vmc_token_expiry_timestamp_seconds{org_id}`. */
  readonly tokenExpiry: Gauge<'org_id'>;
  /** `vmc_api_requests_total{endpoint,code}`. */
  readonly apiRequests: Counter<'endpoint' | 'code'>;
  /** `vmc_api_request_duration_seconds{endpoint}`. */
  readonly apiRequestDuration: Histogram<'endpoint'>;

  /**
   * @param version - exporter version for `vmc_exporter_build_info`
   * @param processMetrics - include `process_*` / `nodejs_*` (off in golden tests)
   */
  constructor(version: string, processMetrics = true) {
    const registers = [this.registry];
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
      help: 'Requests to the CSP and VMC APIs by endpoint and HTTP status code (or timeout, network, too_large).',
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
      help: 'A metric with a constant 1 labelled by the exporter version and the Node.js version it runs on.',
      labelNames: ['version', 'nodejs_version'],
      registers,
    });
    buildInfo.set({ version, nodejs_version: process.version }, 1);
    if (processMetrics) {
      collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 100 });
      // prom-client exposes these as gauges named *_total, which `promtool check metrics`
      // reports as a naming problem; they add little for an exporter, so drop them.
      for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
        this.registry.removeSingleMetric(name);
      }
    }
  }

  #version = 0;

  /** Increases whenever a counter, histogram or token gauge changes (a render-cache key). */
  get version(): number {
    return this.#version;
  }

  /** Counts and times one upstream request. */
  apiRequest(endpoint: Endpoint, code: string, seconds: number): void {
    this.apiRequests.inc({ endpoint, code });
    this.apiRequestDuration.observe({ endpoint }, seconds);
    this.#version++;
  }

  /** Counts one token request (its duration when it reached CSP). */
  tokenRefresh(orgId: string, result: 'success' | 'failure', seconds?: number): void {
    this.tokenRefreshes.inc({ org_id: orgId, result });
    if (seconds !== undefined) this.tokenRefreshDuration.observe({ org_id: orgId }, seconds);
    this.#version++;
  }

  /** Records when the current token of `orgId` expires (Unix seconds). */
  tokenExpires(orgId: string, unixSeconds: number): void {
    this.tokenExpiry.set({ org_id: orgId }, unixSeconds);
    this.#version++;
  }

  /** Renders the exposition text of these metrics. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
