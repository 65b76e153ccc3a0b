/**
 * Which token an org's calls use. An API token yields one access token for its own org,
 * used for everything. An OAuth app asks CSP for one token per org (`orgId=<org>`) when the
 * orgs are named (`--vmc.org`), and for one token without `orgId` (the app's own org) when
 * they are discovered, since that token is the one that lists them.
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
  readonly #perOrg = new Map<string, TokenManager>();
  #shared: TokenManager | undefined;

  /** @param opts - see {@link TokenPoolOptions} */
  constructor(opts: TokenPoolOptions) {
    this.#o = opts;
  }

  /** The token manager for calls about `orgId`; `''` asks for the token without orgId. */
  forOrg(orgId: string): TokenManager {
    if (orgId === '' || !this.#o.perOrg || this.#o.auth.kind === 'api-token') return (this.#shared ??= this.#make(undefined));
    let t = this.#perOrg.get(orgId);
    if (t === undefined) this.#perOrg.set(orgId, (t = this.#make(orgId)));
    return t;
  }

  /** The token without orgId: lists orgs, and serves every org of an API token or discovered orgs. */
  shared(): TokenManager {
    return this.forOrg('');
  }

  #make(orgId: string | undefined): TokenManager {
    const { auth, csp, clock, observer, secrets, logger } = this.#o;
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
