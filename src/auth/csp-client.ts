import type { Clock } from '../lib/clock.js';
import { ExporterError } from '../lib/errors.js';
import { UpstreamError } from '../upstream/errors.js';
import { CredentialsRejectedError } from './errors.js';
import { basicCredentials, type SecretRegistry } from '../lib/secrets.js';
import type { HttpClient } from '../upstream/http-client.js';
import { withRetries, type RetryOptions } from '../upstream/retry.js';
import { parseApiTokenDetails, type ApiTokenDetails } from './parse-token-details.js';
import { parseTokenResponse } from './parse-token.js';
import type { TokenGrant } from './token-manager.js';

/** Where and how to reach CSP. */
export interface CspClientOptions {
  /** Sends requests (metrics, limits, error typing). */
  readonly http: HttpClient;
  /** CSP base URL without trailing slash, e.g. `https://console.cloud.vmware.com`. */
  readonly cspUrl: string;
  /** Time source for the call budget of each exchange. */
  readonly clock: Clock;
  /** Budget for one exchange, retries included, ms. */
  readonly timeoutMs: number;
  /** Test hooks for retry waits. */
  readonly retry?: Pick<RetryOptions, 'sleep' | 'random' | 'policy'>;
  /**
   * Every credential sent, in each form it is sent in (the Basic value, the form-encoded API
   * token), is registered here before the request goes out, so an echo of it is scrubbed.
   */
  readonly secrets: SecretRegistry;
}

/** Path of the OAuth token endpoint. */
export const TOKEN_PATH = '/csp/gateway/am/api/auth/token';
/** Path of the API-token exchange endpoint. */
export const API_TOKEN_PATH = '/csp/gateway/am/api/auth/api-tokens/authorize';
/** Path of the API-token details endpoint (anonymous; the body carries the token). */
export const API_TOKEN_DETAILS_PATH = '/csp/gateway/am/api/auth/api-tokens/details';

/** The statuses with which CSP rejects an OAuth app's credentials (or the app's membership of the org). */
export const OAUTH_REJECTION_STATUSES: readonly number[] = [400, 401, 403];
/** The statuses with which CSP rejects a user API token. */
export const API_TOKEN_REJECTION_STATUSES: readonly number[] = [400, 401, 403, 404];

/**
 * Returns an exchange function for an OAuth app (client_credentials grant): HTTP Basic with
 * the app id and secret, form `grant_type=client_credentials` plus `orgId` when given.
 * 400, 401 and 403 mean CSP rejected the credentials.
 */
export function oauthExchange(opts: CspClientOptions, clientId: string, orgId: string | undefined): (secret: string) => Promise<TokenGrant> {
  return async (secret) => {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (orgId) form.set('orgId', orgId);
    opts.secrets.addBasicCredentials(clientId, secret);
    const basic = basicCredentials(clientId, secret);
    return exchange(opts, 'token', TOKEN_PATH, form, { authorization: `Basic ${basic}` }, OAUTH_REJECTION_STATUSES, 'the OAuth app credentials');
  };
}

/**
 * Returns an exchange function for a user API token (form `api_token`). 400, 401, 403 and
 * 404 mean CSP rejected the token.
 */
export function apiTokenExchange(opts: CspClientOptions): (secret: string) => Promise<TokenGrant> {
  return (secret) => {
    opts.secrets.add(secret);
    return exchange(opts, 'api-token', API_TOKEN_PATH, new URLSearchParams({ api_token: secret }), {}, API_TOKEN_REJECTION_STATUSES, 'the API token');
  };
}

async function exchange(
  opts: CspClientOptions,
  endpoint: 'token' | 'api-token',
  path: string,
  form: URLSearchParams,
  headers: Record<string, string>,
  rejections: readonly number[],
  what: string,
): Promise<TokenGrant> {
  try {
    const res = await withRetries(
      (remainingMs) =>
        opts.http.send({
          endpoint,
          method: 'POST',
          url: opts.cspUrl + path,
          headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: form.toString(),
          timeoutMs: Math.min(remainingMs, opts.timeoutMs),
        }),
      { giveUpAt: opts.clock.now() + opts.timeoutMs, clock: opts.clock, ...opts.retry },
    );
    return parseTokenResponse(res.json);
  } catch (err) {
    if (err instanceof UpstreamError && err.failure === 'http' && err.status !== undefined && rejections.includes(err.status)) {
      const detail = [err.upstreamCode ? `cspErrorCode ${err.upstreamCode}` : '', err.upstreamMessage ?? ''].filter(Boolean).join(': ');
      throw new CredentialsRejectedError('http', `CSP rejected ${what} (HTTP ${err.status}${detail ? `, ${detail}` : ''})`, { status: err.status });
    }
    if (err instanceof UpstreamError) throw new UpstreamError(err.failure, `CSP token request failed: ${err.message}`, { status: err.status, retryAfterMs: err.retryAfterMs });
    if (err instanceof ExporterError) throw new ExporterError(err.code, `CSP token response unusable: ${err.message}`);
    throw err;
  }
}

/**
 * Returns the API-token details call: `POST {csp}/csp/gateway/am/api/auth/api-tokens/details`
 * with the JSON body `{"tokenValue": <token>}` and no credentials header (the endpoint is
 * anonymous), counted as endpoint `api-token-details`. The body and the token's JSON-escaped
 * form are registered for scrubbing before anything is sent, so an echo of either in an
 * error never reaches a log. Only the parsed details come back (never the token field of
 * the answer).
 *
 * @param opts - how to reach CSP
 * @param secrets - where the body forms are registered
 */
export function apiTokenDetails(opts: CspClientOptions, secrets: SecretRegistry): (token: string) => Promise<ApiTokenDetails> {
  return async (token) => {
    const body = JSON.stringify({ tokenValue: token });
    secrets.add(body);
    secrets.add(JSON.stringify(token).slice(1, -1));
    try {
      const res = await withRetries(
        (remainingMs) =>
          opts.http.send(
            {
              endpoint: 'api-token-details',
              method: 'POST',
              url: opts.cspUrl + API_TOKEN_DETAILS_PATH,
              headers: { 'content-type': 'application/json', accept: 'application/json' },
              body,
              timeoutMs: Math.min(remainingMs, opts.timeoutMs),
            },
            parseApiTokenDetails,
          ),
        { giveUpAt: opts.clock.now() + opts.timeoutMs, clock: opts.clock, ...opts.retry },
      );
      return res.json;
    } catch (err) {
      if (err instanceof UpstreamError && err.failure === 'http' && (err.status === 400 || err.status === 404)) {
        throw new UpstreamError('http', `CSP has no details of the API token (HTTP ${err.status}): it is expired, revoked or unknown`, {
          status: err.status,
          ...(err.upstreamCode ? { upstreamCode: err.upstreamCode } : {}),
        });
      }
      throw err;
    }
  };
}
