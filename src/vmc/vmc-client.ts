import type { TokenManager } from '../auth/token-manager.js';
import type { Clock } from '../lib/clock.js';
import { UpstreamError } from '../upstream/errors.js';
import type { HttpClient } from '../upstream/http-client.js';
import { withRetries, type RetryOptions } from '../upstream/retry.js';
import type { Endpoint } from '../metrics/self-metrics.js';
import { parseOrgList } from './parse-orgs.js';
import { parseSddcList } from './parse-sddcs.js';
import type { Org, SddcList } from './types.js';

/** Where and how to reach the VMC API. */
export interface VmcClientOptions {
  /** Sends requests (metrics, limits, error typing). */
  readonly http: HttpClient;
  /** VMC base URL without trailing slash, e.g. `https://vmc.vmware.com`. */
  readonly vmcUrl: string;
  /** Time source for retry deadlines. */
  readonly clock: Clock;
  /** Upper bound for one request attempt, ms. */
  readonly requestTimeoutMs: number;
  /** Test hooks for retry waits. */
  readonly retry?: Pick<RetryOptions, 'sleep' | 'random' | 'policy'>;
}

/**
 * The VMC calls the exporter makes, with the `csp-auth-token` header. A 401 invalidates
 * the token and the call is retried exactly once with a new one; transient failures are
 * retried within the deadline (see `withRetries`).
 */
export class VmcClient {
  readonly #o: VmcClientOptions;

  /** @param opts - see {@link VmcClientOptions} */
  constructor(opts: VmcClientOptions) {
    this.#o = opts;
  }

  /** `GET /vmc/api/orgs`: the orgs the token may see. */
  async listOrgs(tokens: TokenManager, deadline: number, signal?: AbortSignal): Promise<Org[]> {
    return parseOrgList(await this.#get('orgs', '/vmc/api/orgs', tokens, deadline, signal));
  }

  /** `GET /vmc/api/orgs/{org}/sddcs`, parsed. */
  async listSddcs(orgId: string, tokens: TokenManager, deadline: number, signal?: AbortSignal): Promise<SddcList> {
    return parseSddcList(await this.#get('sddcs', `/vmc/api/orgs/${encodeURIComponent(orgId)}/sddcs`, tokens, deadline, signal));
  }

  async #get(endpoint: Endpoint, path: string, tokens: TokenManager, deadline: number, signal?: AbortSignal): Promise<unknown> {
    const { http, clock } = this.#o;
    for (let authRetry = 0; ; authRetry++) {
      const token = await tokens.getToken();
      try {
        const res = await withRetries(
          (remainingMs) =>
            http.send({
              endpoint,
              method: 'GET',
              url: this.#o.vmcUrl + path,
              headers: { 'csp-auth-token': token, accept: 'application/json' },
              signal,
              timeoutMs: Math.min(remainingMs, this.#o.requestTimeoutMs),
            }),
          { deadline, clock, signal, ...this.#o.retry },
        );
        return res.json;
      } catch (err) {
        if (err instanceof UpstreamError && err.unauthorized && authRetry === 0) {
          tokens.invalidate(token);
          continue;
        }
        throw err;
      }
    }
  }
}
