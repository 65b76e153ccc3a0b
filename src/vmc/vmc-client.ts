import type { TokenManager } from '../auth/token-manager.js';
import type { Clock } from '../lib/clock.js';
import { UpstreamError } from '../upstream/errors.js';
import type { HttpClient } from '../upstream/http-client.js';
import { withRetries, type RetryOptions } from '../upstream/retry.js';
import { parseOrgList } from './parse-orgs.js';
import { parseSddcList } from './parse-sddcs.js';
import type { Org, SddcList } from './types.js';

/** Where and how to reach the VMC API. */
export interface VmcClientOptions {
  /** Sends requests (metrics, limits, error typing). */
  readonly http: HttpClient;
  /** VMC base URL without trailing slash, e.g. `https://vmc.vmware.com`. */
  readonly vmcUrl: string;
  /** Time source for the call budget. */
  readonly clock: Clock;
  /** `--vmc.timeout`: budget of one call, retries included, ms. */
  readonly callBudgetMs: number;
  /** Runs one request within the bound of `--vmc.concurrency`. @default no bound */
  readonly limit?: <T>(task: () => Promise<T>) => Promise<T>;
  /** Aborts every call in flight (shutdown). */
  readonly signal?: AbortSignal;
  /** Test hooks for retry waits. */
  readonly retry?: Pick<RetryOptions, 'sleep' | 'random' | 'policy'>;
}

/** One VMC call: the metrics' `endpoint` label, the method and path, and the parser of its body. */
export interface VmcCall<T> {
  /** `endpoint` label, e.g. `sddcs`. */
  readonly endpoint: string;
  /** `GET`, or `POST` for the read-only calls that VMC models as POST. */
  readonly method?: 'GET' | 'POST';
  /** Path with query, e.g. `/vmc/api/orgs/{org}/sddcs` (ids already encoded). */
  readonly path: string;
  /** JSON body of a POST. */
  readonly body?: unknown;
  /** Turns the JSON body into a value; a MalformedResponseError counts the call as `malformed`. */
  readonly parse: (json: unknown) => T;
}

/** `GET /vmc/api/orgs`: the orgs the token may see. */
export function orgListCall(): VmcCall<Org[]> {
  return { endpoint: 'orgs', path: '/vmc/api/orgs', parse: parseOrgList };
}

/** `GET /vmc/api/orgs/{org}/sddcs`, parsed. */
export function sddcListCall(orgId: string): VmcCall<SddcList> {
  return { endpoint: 'sddcs', path: `/vmc/api/orgs/${encodeURIComponent(orgId)}/sddcs`, parse: parseSddcList };
}

/**
 * The VMC calls the exporter makes, with the `csp-auth-token` header. A 401 invalidates
 * the token and the call is retried exactly once with a new one; transient failures are
 * retried within the call budget (see `withRetries`).
 */
export class VmcClient {
  readonly #o: VmcClientOptions;
  readonly #limit: <T>(task: () => Promise<T>) => Promise<T>;

  /** @param opts - see {@link VmcClientOptions} */
  constructor(opts: VmcClientOptions) {
    this.#o = opts;
    this.#limit = opts.limit ?? ((task) => task());
  }

  /** `GET /vmc/api/orgs`: the orgs the token may see. */
  listOrgs(tokens: TokenManager): Promise<Org[]> {
    return this.call(orgListCall(), tokens);
  }

  /** `GET /vmc/api/orgs/{org}/sddcs`, parsed. */
  listSddcs(orgId: string, tokens: TokenManager): Promise<SddcList> {
    return this.call(sddcListCall(orgId), tokens);
  }

  /** Makes one call with `tokens`' access token; resolves with the parsed body. */
  async call<T>(spec: VmcCall<T>, tokens: TokenManager): Promise<T> {
    const { http, clock, signal } = this.#o;
    const giveUpAt = clock.now() + this.#o.callBudgetMs;
    const method = spec.method ?? 'GET';
    for (let authRetry = 0; ; authRetry++) {
      const token = await tokens.getToken();
      const headers: Record<string, string> = { 'csp-auth-token': token, accept: 'application/json' };
      if (spec.body !== undefined) headers['content-type'] = 'application/json';
      try {
        const res = await withRetries(
          (remainingMs) =>
            this.#limit(() =>
              http.send(
                {
                  endpoint: spec.endpoint,
                  method,
                  url: this.#o.vmcUrl + spec.path,
                  headers,
                  ...(spec.body !== undefined ? { body: JSON.stringify(spec.body) } : {}),
                  signal,
                  timeoutMs: Math.min(remainingMs, this.#o.callBudgetMs),
                },
                spec.parse,
              ),
            ),
          { giveUpAt, clock, signal, ...this.#o.retry },
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
