/**
 * The simulator's CSP side: the OAuth app token endpoint and the API-token exchange, and
 * the bookkeeping of the access tokens they issue (expiry, revocation, the org each token
 * is scoped to).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Clock } from './clock.js';
import { randomUuid } from './random.js';
import { type Answer, cspError, jsonAnswer } from './responses.js';
import type { Route } from './route.js';
import type { SimulatorStats } from './stats.js';

/** CSP path of the OAuth app token endpoint. */
export const TOKEN_PATH = '/csp/gateway/am/api/auth/token';
/** CSP path of the API-token exchange endpoint. */
export const API_TOKEN_PATH = '/csp/gateway/am/api/auth/api-tokens/authorize';

/** The service definition id of VMware Cloud on AWS in role names (`external/<id>/…`). */
export const VMC_SERVICE_ID = 'ybUdoTC05kYFC9ZG';

/**
 * The roles the simulator knows, as CSP writes them in a token's `perms`: the organization
 * role every app needs, the VMC service roles, and the NSX roles (which the exporter does
 * not need).
 */
export const SIM_ROLES = {
  orgMember: 'csp:org_member',
  vmcAdministrator: `external/${VMC_SERVICE_ID}/vmc-user:full`,
  vmcDeleteRestricted: `external/${VMC_SERVICE_ID}/vmc-user:no-delete`,
  nsxCloudAdmin: `external/${VMC_SERVICE_ID}/nsx:cloud_admin`,
  nsxCloudAuditor: `external/${VMC_SERVICE_ID}/nsx:cloud_auditor`,
} as const;

/** The roles of the simulated OAuth app (and API token user) in every org, unless told otherwise. */
export const DEFAULT_APP_ROLES: readonly string[] = [SIM_ROLES.orgMember, SIM_ROLES.vmcAdministrator];

/** Credentials the simulator accepts. */
export interface SimulatorCredentials {
  /** OAuth app id (HTTP Basic user at the token endpoint). */
  readonly clientId: string;
  /** OAuth app secret (HTTP Basic password). */
  readonly clientSecret: string;
  /** User API token (`api_token` form field). */
  readonly apiToken: string;
}

/** What the simulator remembers of an access token it issued. */
export interface IssuedToken {
  /** The org the token is scoped to. */
  readonly orgId: string;
  /** When it expires, in clock milliseconds. */
  readonly expiresAtMs: number;
  /** The roles in its `perms` claim. */
  readonly perms: readonly string[];
  /** Set by {@link TokenStore.revokeAll}. */
  revoked: boolean;
}

/** Why a presented access token is not valid now (see {@link TokenStore.check}). */
export type TokenRejection = 'unknown' | 'revoked' | 'expired';

/** The access tokens issued so far, in issue order. */
export class TokenStore {
  readonly #tokens = new Map<string, IssuedToken>();
  readonly #clock: Clock;
  readonly #ttlSeconds: number;
  readonly #stats: SimulatorStats;

  /**
   * @param clock - time source for `iat`/`exp` and expiry checks
   * @param ttlSeconds - `expires_in` of issued tokens
   * @param stats - counters (`tokensIssued` is bumped per token)
   */
  constructor(clock: Clock, ttlSeconds: number, stats: SimulatorStats) {
    this.#clock = clock;
    this.#ttlSeconds = ttlSeconds;
    this.#stats = stats;
  }

  /** Issues a JWT-shaped access token scoped to `orgId` with `perms` and returns CSP's 200 token answer. */
  issue(orgId: string, subject: string, perms: readonly string[] = DEFAULT_APP_ROLES): Answer {
    const ttlSeconds = this.#ttlSeconds;
    const nowMs = this.#clock.now();
    const iat = Math.floor(nowMs / 1000);
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const token = [
      b64({ alg: 'RS256', kid: 'signing_2', typ: 'JWT' }),
      b64({
        sub: subject,
        iss: 'https://gaz.csp-vidm-prod.com',
        context: randomUuid(),
        context_name: orgId,
        azp: subject,
        perms: [...perms],
        iat,
        exp: iat + ttlSeconds,
        jti: randomUuid(),
      }),
      randomBytes(64).toString('base64url'),
    ].join('.');
    this.#tokens.set(token, { orgId, expiresAtMs: nowMs + ttlSeconds * 1000, perms: [...perms], revoked: false });
    this.#stats.tokensIssued++;
    return jsonAnswer(200, {
      access_token: token,
      token_type: 'bearer',
      expires_in: ttlSeconds,
      scope: ['openid', ...perms].join(' '),
      id_token: null,
      refresh_token: null,
    });
  }

  /** The token's record when it is valid now, else why not (checked in that order: unknown, revoked, expired). */
  check(token: string): IssuedToken | TokenRejection {
    const record = this.#tokens.get(token);
    if (record === undefined) return 'unknown';
    if (record.revoked) return 'revoked';
    if (this.#clock.now() >= record.expiresAtMs) return 'expired';
    return record;
  }

  /** Revokes every token issued so far. */
  revokeAll(): void {
    for (const t of this.#tokens.values()) t.revoked = true;
  }

  /** Every token issued so far, in issue order. */
  tokens(): IterableIterator<string> {
    return this.#tokens.keys();
  }
}

/** What the CSP endpoints need. */
export interface CspDeps {
  /** The accepted credentials. */
  readonly credentials: SimulatorCredentials;
  /** Where issued tokens are recorded. */
  readonly tokens: TokenStore;
  /** Org ids the OAuth app belongs to, home org first. */
  readonly appOrgIds: () => readonly string[];
  /** The app's roles in an org (the `perms` of its tokens for that org). */
  readonly appRoles: (orgId: string) => readonly string[];
}

function tokenEndpoint(deps: CspDeps, req: IncomingMessage, form: URLSearchParams): Answer {
  const { credentials } = deps;
  const auth = req.headers.authorization;
  if (auth === undefined || auth.trim() === '') {
    return cspError(401, '250.100', 'Missing mandatory request header: authorization', 250);
  }
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(auth);
  const decoded = match?.[1] === undefined ? '' : Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return cspError(401, '250.101', 'Invalid authorization header', 250);
  if (decoded.slice(0, colon) !== credentials.clientId || decoded.slice(colon + 1) !== credentials.clientSecret) {
    return cspError(400, '250.102', 'invalid_client: Client authentication failed (unknown client or bad secret)', 250);
  }
  const grant = form.get('grant_type');
  if (grant === null || grant === '') return cspError(400, '250.103', 'invalid_request: Missing mandatory parameter: grant_type', 250);
  if (grant !== 'client_credentials') {
    return cspError(400, '250.104', 'unsupported_grant_type: The grant type is not supported for this client', 250);
  }
  const requested = form.get('orgId') ?? form.get('org_id') ?? '';
  const orgs = deps.appOrgIds();
  if (requested !== '' && !orgs.includes(requested)) {
    return cspError(400, '250.105', 'invalid_request: The client is not a member of the requested organization', 250);
  }
  const orgId = requested !== '' ? requested : orgs[0];
  if (orgId === undefined) return cspError(400, '250.106', 'invalid_request: The client belongs to no organization', 250);
  return deps.tokens.issue(orgId, credentials.clientId, deps.appRoles(orgId));
}

function apiTokenEndpoint(deps: CspDeps, form: URLSearchParams): Answer {
  const presented = form.get('api_token');
  if (presented === null || presented === '') {
    return cspError(400, '540.110-340.400', 'invalid_request: Missing mandatory parameter: api_token', '540');
  }
  if (presented !== deps.credentials.apiToken) {
    return cspError(404, '540.120-340.800', `invalid_grant: Invalid refresh token: xxxx...${presented.slice(-5)}`, '540');
  }
  const home = deps.appOrgIds()[0];
  if (home === undefined) return cspError(400, '540.130-340.400', 'invalid_grant: The token belongs to no organization', '540');
  return deps.tokens.issue(home, 'sim-user@example.com', deps.appRoles(home));
}

/**
 * Routes a request to a CSP endpoint: the route, a 405 answer for a wrong method, or
 * undefined when `path` is not a CSP path.
 *
 * @param deps - credentials, token store and app orgs
 * @param req - the request (its Authorization header is read when the route runs)
 * @param path - the request's path
 * @param method - the request's method
 */
export function cspRoute(deps: CspDeps, req: IncomingMessage, path: string, method: string): Route | Answer | undefined {
  if (path === TOKEN_PATH) {
    if (method !== 'POST') return cspError(405, '250.405', 'Method not allowed', 250);
    return { endpoint: 'token', family: 'csp', org: undefined, run: (form) => tokenEndpoint(deps, req, form) };
  }
  if (path === API_TOKEN_PATH) {
    if (method !== 'POST') return cspError(405, '250.405', 'Method not allowed', 250);
    return { endpoint: 'api-token', family: 'csp', org: undefined, run: (form) => apiTokenEndpoint(deps, form) };
  }
  return undefined;
}
