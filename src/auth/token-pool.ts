/**
 * Which token an org's calls use. An API token yields one access token for its own org,
 * used for everything. An OAuth app asks CSP for one token per org (`orgId=<org>`) when the
 * orgs are named (`--vmc.org`) and for every org named only by probes, and for one token
 * without `orgId` (the app's own org) when they are discovered, since that token is the one
 * that lists them.
 */
import type { Logger } from 'pino';
import type { AuthConfig } from '../config/config.js';
import type { Clock } from '../lib/clock.js';
import type { SecretRegistry } from '../lib/secrets.js';
import { apiTokenDetails, apiTokenExchange, oauthExchange, type CspClientOptions } from './csp-client.js';
import { TokenManager, type TokenObserver } from './token-manager.js';

/** Dependencies of {@link TokenPool}. */
export interface TokenPoolOptions {
  /** The credentials. */
  readonly auth: AuthConfig;
  /** True when every org gets a token of its own (OAuth app with named orgs). */
  readonly perOrg: boolean;
  /** How to reach CSP. */
  readonly csp: CspClientOptions;
  /** Time source. */
  readonly clock: Clock;
  /** Told about every token request. */
  readonly observer: TokenObserver;
  /** Every secret read and every token obtained is registered here for scrubbing. */
  readonly secrets: SecretRegistry;
  /** Logs credential problems once. */
  readonly logger: Logger;
}

/** Hands out the {@link TokenManager} for an org, creating it on first use. */
export class TokenPool {
  readonly #o: TokenPoolOptions;
  readonly #perOrg = new Map<string, { readonly manager: TokenManager; readonly retire: () => void }>();
  #shared: TokenManager | undefined;

  /** @param opts - see {@link TokenPoolOptions} */
  constructor(opts: TokenPoolOptions) {
    this.#o = opts;
  }

  /**
   * The token manager for calls about `orgId`; `''` asks for the token without orgId.
   *
   * @param orgId - the org
   * @param own - the org is named only by probes: an OAuth app asks for a token of its own
   *   even when the other orgs share the token without orgId
   */
  forOrg(orgId: string, own = false): TokenManager {
    if (orgId === '' || this.#o.auth.kind === 'api-token' || !(this.#o.perOrg || own)) return (this.#shared ??= this.#make(undefined));
    let t = this.#perOrg.get(orgId)?.manager;
    if (t === undefined) t = this.#add(orgId);
    return t;
  }

  /**
   * Drops the token of `orgId` (an org no longer collected), from the secret registry too.
   * Whatever its manager still reports afterwards (a token request in flight) is not
   * observed, so no series of the org reappears.
   */
  forget(orgId: string): void {
    const entry = this.#perOrg.get(orgId);
    if (entry === undefined) return;
    entry.retire();
    entry.manager.releaseTokens();
    this.#perOrg.delete(orgId);
  }

  /** Number of orgs with a token of their own (for tests and the bench). */
  get size(): number {
    return this.#perOrg.size;
  }

  /** The token without orgId: lists orgs, and serves every org of an API token or discovered orgs. */
  shared(): TokenManager {
    return this.forOrg('');
  }

  /** The token manager {@link forOrg} would return, if it exists already; never creates one. */
  peek(orgId: string): TokenManager | undefined {
    if (orgId === '' || this.#o.auth.kind === 'api-token') return this.#shared;
    return this.#perOrg.get(orgId)?.manager ?? (this.#o.perOrg ? undefined : this.#shared);
  }

  #add(orgId: string): TokenManager {
    let retired = false;
    const observer = this.#o.observer;
    const manager = this.#make(orgId, {
      tokenRequested: (label, result, seconds) => {
        if (!retired) observer.tokenRequested(label, result, seconds);
      },
      tokenExpires: (label, unixSeconds) => {
        if (!retired) observer.tokenExpires(label, unixSeconds);
      },
      tokenDeclared: (label) => {
        if (!retired) observer.tokenDeclared?.(label);
      },
    });
    this.#perOrg.set(orgId, { manager, retire: () => (retired = true) });
    return manager;
  }

  #make(orgId: string | undefined, observer: TokenObserver = this.#o.observer): TokenManager {
    const { auth, csp, clock, secrets, logger } = this.#o;
    return new TokenManager({
      orgLabel: orgId ?? '',
      readSecret: async () => {
        const value = await auth.readSecret();
        secrets.add(value);
        return value;
      },
      exchange: auth.kind === 'oauth' ? oauthExchange(csp, auth.clientId, orgId) : apiTokenExchange(csp),
      ...(auth.kind === 'api-token' ? { details: apiTokenDetails(csp, secrets) } : {}),
      clock,
      observer,
      secrets,
      logger,
    });
  }
}
