import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../lib/clock.js';
import { ExporterError } from '../lib/errors.js';
import type { SecretRegistry } from '../lib/secrets.js';
import { CredentialsRejectedError } from './errors.js';
import type { ApiTokenDetails } from './parse-token-details.js';

/** What CSP hands out. */
export interface TokenGrant {
  /** The access token, sent as `csp-auth-token`. */
  readonly accessToken: string;
  /** Lifetime in seconds (`expires_in` clamped to 10 s – 24 h; 300 when CSP did not say; see `parseTokenResponse`). */
  readonly expiresInSeconds: number;
}

/**
 * Receives what happens to tokens. The exporter's self-metrics implement it
 * (`vmc_token_refreshes_total`, `vmc_token_refresh_duration_seconds`,
 * `vmc_token_expiry_timestamp_seconds`).
 */
export interface TokenObserver {
  /**
   * One token request ended.
   * @param orgLabel - the token's `org_id` label (`''` for a token without orgId)
   * @param result - whether CSP handed out a token
   * @param seconds - how long the request to CSP took; absent when none was sent
   */
  tokenRequested(orgLabel: string, result: 'success' | 'failure', seconds?: number): void;
  /** A new token of `orgLabel` expires at `unixSeconds`. */
  tokenExpires(orgLabel: string, unixSeconds: number): void;
  /**
   * A token of `orgLabel` will be requested: its request counters should exist (at 0) from
   * now on, so that `increase()` sees its first failure.
   */
  tokenDeclared?(orgLabel: string): void;
}

/** Dependencies of {@link TokenManager}. */
export interface TokenManagerOptions {
  /** `org_id` label of this token's metrics: the org id, or `''` for a token without orgId. */
  readonly orgLabel: string;
  /** Reads the client secret or API token; called for every exchange so a fixed file is picked up. */
  readonly readSecret: () => Promise<string>;
  /** Exchanges the secret for a token at CSP (retries of transient failures included). */
  readonly exchange: (secret: string) => Promise<TokenGrant>;
  /** Asks CSP for the details of the secret, when it is an API token (see {@link TokenManager.apiTokenDetails}). */
  readonly details?: (secret: string) => Promise<ApiTokenDetails>;
  /** Time source. */
  readonly clock: Clock;
  /** Told about every token request (`vmc_token_*` metrics). */
  readonly observer: TokenObserver;
  /** Every token obtained is registered here so it is scrubbed from any text. */
  readonly secrets: SecretRegistry;
  /** Logs state changes (not every scrape). */
  readonly logger: Logger;
  /** Backoff after CSP rejected the credentials: first wait, ms. @default 10000 */
  readonly rejectInitialMs?: number;
  /** Backoff after CSP rejected the credentials: longest wait, ms. @default 300000 */
  readonly rejectMaxMs?: number;
}

interface CurrentToken {
  readonly token: string;
  readonly refreshAt: number;
  readonly expiresAt: number;
}

interface Rejection {
  readonly secretHash: string;
  readonly until: number;
  readonly delayMs: number;
  readonly error: Error;
}

/**
 * How long before expiry a token is renewed: 10 % of its lifetime but at least a minute,
 * and never more than half of it (so a 60 s token is renewed after 30 s, a 30 min one
 * after 27 min).
 */
export function refreshMarginMs(ttlMs: number): number {
  return Math.min(Math.max(60_000, ttlMs * 0.1), ttlMs * 0.5);
}

/**
 * Hands out a CSP access token: reused until shortly before it expires, refreshed by one
 * in-flight request that every concurrent caller shares, never caching a failure as a token.
 * When CSP rejects the credentials themselves it backs off (doubling up to `rejectMaxMs`)
 * instead of asking again on every scrape, unless the secret has changed meanwhile.
 */
export class TokenManager {
  readonly #o: TokenManagerOptions;
  #current: CurrentToken | undefined;
  #inflight: Promise<string> | undefined;
  #rejection: Rejection | undefined;
  /** The access tokens this manager registered for scrubbing: the current one and the one before. */
  #registered: string[] = [];

  /** @param opts - see {@link TokenManagerOptions} */
  constructor(opts: TokenManagerOptions) {
    this.#o = opts;
    opts.observer.tokenDeclared?.(opts.orgLabel);
  }

  /**
   * Takes the tokens this manager obtained out of the secret registry: called when its org is
   * forgotten, so the registry does not grow with every org ever probed. A token obtained
   * by a request still in flight is registered as usual.
   */
  releaseTokens(): void {
    for (const token of this.#registered) this.#o.secrets.removeToken(token);
    this.#registered = [];
  }

  /** The `org_id` label of this token. */
  get orgLabel(): string {
    return this.#o.orgLabel;
  }

  /** When the cached token expires (clock ms), or undefined when none is cached; never requests one. */
  get expiresAt(): number | undefined {
    return this.#current?.expiresAt;
  }

  /** Resolves with a usable access token. */
  async getToken(): Promise<string> {
    const now = this.#o.clock.now();
    const current = this.#current;
    if (current && now < current.refreshAt) return current.token;
    this.#inflight ??= this.#refresh().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  /**
   * The details of the API token (its expiry), from CSP's details call made here: the token
   * is read and sent inside the token manager and never handed out. Rejects with
   * `NOT_AN_API_TOKEN` for an OAuth app, which has no such details.
   */
  async apiTokenDetails(): Promise<ApiTokenDetails> {
    const details = this.#o.details;
    if (details === undefined) throw new ExporterError('NOT_AN_API_TOKEN', 'token details exist only for an API token');
    return details(await this.#o.readSecret());
  }

  /** Drops `token` (after VMC answered 401 to it) so the next call fetches a new one. */
  invalidate(token: string): void {
    if (this.#current?.token === token) this.#current = undefined;
  }

  async #refresh(): Promise<string> {
    const { clock, observer, orgLabel, logger } = this.#o;
    let secret: string;
    try {
      secret = await this.#o.readSecret();
    } catch (err) {
      observer.tokenRequested(orgLabel, 'failure');
      return this.#fallback(err);
    }
    const rejection = this.#rejection;
    const secretHash = hash(secret);
    if (rejection && clock.now() < rejection.until && rejection.secretHash === secretHash) {
      return this.#fallback(rejection.error);
    }
    const started = performance.now();
    try {
      const grant = await this.#o.exchange(secret);
      const now = clock.now();
      const ttlMs = grant.expiresInSeconds * 1000;
      this.#o.secrets.addToken(grant.accessToken);
      this.#registered = [...this.#registered.slice(-1), grant.accessToken];
      this.#current = { token: grant.accessToken, refreshAt: now + ttlMs - refreshMarginMs(ttlMs), expiresAt: now + ttlMs };
      observer.tokenRequested(orgLabel, 'success', (performance.now() - started) / 1000);
      observer.tokenExpires(orgLabel, (now + ttlMs) / 1000);
      if (rejection) logger.info({ org_id: orgLabel }, 'CSP accepted the credentials again');
      this.#rejection = undefined;
      return grant.accessToken;
    } catch (err) {
      observer.tokenRequested(orgLabel, 'failure', (performance.now() - started) / 1000);
      if (err instanceof CredentialsRejectedError) {
        const delayMs = rejection ? Math.min(this.#o.rejectMaxMs ?? 300_000, rejection.delayMs * 2) : (this.#o.rejectInitialMs ?? 10_000);
        if (!rejection) logger.error({ org_id: orgLabel, err }, 'CSP rejected the credentials; retrying with backoff, fix the secret to recover');
        this.#rejection = { secretHash, until: clock.now() + delayMs, delayMs, error: err };
      }
      return this.#fallback(err);
    }
  }

  /** After a failed refresh: the old token while it is still good for a while, else the error. */
  #fallback(err: unknown): string {
    const current = this.#current;
    if (current && this.#o.clock.now() < current.expiresAt - 5_000) return current.token;
    throw err;
  }
}

function hash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
