/**
 * The simulator's VMC side: `GET /vmc/api/orgs[/{org}[/sddcs[/{sddc}]]]` over the estate,
 * with the `csp-auth-token` check and the org scoping of access tokens.
 */
import type { IncomingMessage } from 'node:http';
import type { Clock } from './clock.js';
import { type IssuedToken, SIM_ROLES, type TokenStore } from './csp-routes.js';
import { type Estate, orgJson, type SddcQuery } from './estate.js';
import { type Answer, jsonAnswer, vmcError } from './responses.js';
import type { Route } from './route.js';

/** What the VMC endpoints need. */
export interface VmcDeps {
  /** The world served. */
  readonly estate: Estate;
  /** Issued access tokens, to check `csp-auth-token` against. */
  readonly tokens: TokenStore;
  /** Time source for the estate's movement. */
  readonly clock: Clock;
  /** Apply the estate's time-driven movement at the clock's time. */
  readonly movement: boolean;
  /** The roles, any one of which lets a token call a VMC endpoint (see {@link DEFAULT_ENDPOINT_ROLES}). */
  readonly endpointRoles: Readonly<Record<VmcEndpoint, readonly string[]>>;
}

/** The VMC endpoints the simulator serves. */
export type VmcEndpoint = 'orgs' | 'sddcs' | 'maintenance' | 'tasks' | 'subscriptions' | 'aws-link' | 'edrs';

const VMC_SERVICE_ROLES = [SIM_ROLES.vmcAdministrator, SIM_ROLES.vmcDeleteRestricted];

/** Every VMC call needs a VMC service role: Administrator or Administrator (Delete Restricted). */
export const DEFAULT_ENDPOINT_ROLES: Readonly<Record<VmcEndpoint, readonly string[]>> = {
  orgs: VMC_SERVICE_ROLES,
  sddcs: VMC_SERVICE_ROLES,
  maintenance: VMC_SERVICE_ROLES,
  tasks: VMC_SERVICE_ROLES,
  subscriptions: VMC_SERVICE_ROLES,
  'aws-link': VMC_SERVICE_ROLES,
  edrs: VMC_SERVICE_ROLES,
};

/** The 403 for a token whose roles do not allow `endpoint`. */
function roleCheck(deps: VmcDeps, auth: IssuedToken, endpoint: VmcEndpoint, path: string): Answer | undefined {
  const allowed = deps.endpointRoles[endpoint];
  if (auth.perms.some((p) => allowed.includes(p))) return undefined;
  return vmcError(403, path, 'unauthorized', 'The user is not authorized to perform this operation: missing a required service role');
}

const REJECTION_MESSAGES = {
  unknown: 'Unauthorized: invalid token',
  revoked: 'Unauthorized: token revoked',
  expired: 'Unauthorized: token expired',
} as const;

/**
 * The token's record when the request's `csp-auth-token` is valid now, else the 401 answer.
 *
 * @param tokens - the issued tokens
 * @param req - the request
 * @param path - the request's path (for the error body)
 */
export function authenticate(tokens: TokenStore, req: IncomingMessage, path: string): IssuedToken | Answer {
  const raw = req.headers['csp-auth-token'];
  const token = Array.isArray(raw) ? raw[0] : raw;
  const challenge = { 'www-authenticate': 'Bearer realm="VMware Cloud Services", error="invalid_token"' };
  if (token === undefined || token === '') {
    return vmcError(401, path, 'unauthenticated', 'Unauthorized: missing csp-auth-token header', { 'www-authenticate': 'Bearer realm="VMware Cloud Services"' });
  }
  const record = tokens.check(token);
  if (typeof record === 'string') return vmcError(401, path, 'unauthenticated', REJECTION_MESSAGES[record], challenge);
  return record;
}

/**
 * Undefined when the request may read `orgId` through `endpoint`, else the answer: 401 (bad
 * token), 404 (unknown org), 403 (token scoped to another org) or 403 (the token's roles do
 * not allow the endpoint), checked in that order.
 *
 * @param deps - estate and tokens
 * @param req - the request
 * @param path - the request's path (for the error body)
 * @param orgId - the org the request is about
 * @param endpoint - the endpoint, for the role check
 */
export function orgAccess(deps: VmcDeps, req: IncomingMessage, path: string, orgId: string, endpoint: VmcEndpoint): Answer | undefined {
  const auth = authenticate(deps.tokens, req, path);
  if (!('orgId' in auth)) return auth;
  if (deps.estate.org(orgId) === undefined) return vmcError(404, path, 'not_found', 'Organization not found');
  if (auth.orgId !== orgId) return vmcError(403, path, 'unauthorized', 'The user is not authorized to access this organization');
  return roleCheck(deps, auth, endpoint, path);
}

/**
 * Routes a non-CSP request to a VMC endpoint, or answers 404 (unknown path) or 405 (not
 * GET/HEAD).
 *
 * @param deps - estate, tokens, clock and movement switch
 * @param req - the request
 * @param url - its parsed URL (`includeDeleted` is read from it)
 * @param segments - its decoded path segments
 */
export function vmcRoute(deps: VmcDeps, req: IncomingMessage, url: URL, segments: readonly string[]): Route | Answer {
  const { estate, clock } = deps;
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const query = (includeDeleted: boolean): SddcQuery => ({ includeDeleted, ...(deps.movement ? { at: clock.now() } : {}) });
  const [a, b, c, org, e, sddc, ...rest] = segments;
  if (a !== 'vmc' || b !== 'api' || c !== 'orgs' || rest.length > 0) return vmcError(404, path, 'not_found', 'Not found');
  if (method !== 'GET' && method !== 'HEAD') return vmcError(405, path, 'method_not_allowed', 'Method GET expected', { allow: 'GET' });
  if (org === undefined) {
    return {
      endpoint: 'orgs',
      family: 'vmc',
      org: undefined,
      run: () => {
        const auth = authenticate(deps.tokens, req, path);
        if (!('orgId' in auth)) return auth;
        const forbidden = roleCheck(deps, auth, 'orgs', path);
        if (forbidden) return forbidden;
        const org = estate.org(auth.orgId);
        return jsonAnswer(200, org === undefined ? [] : [orgJson(org)]);
      },
    };
  }
  if (e === undefined) {
    return {
      endpoint: 'orgs',
      family: 'vmc',
      org,
      run: () => {
        const denied = orgAccess(deps, req, path, org, 'orgs');
        if (denied) return denied;
        const found = estate.org(org);
        return found === undefined ? vmcError(404, path, 'not_found', 'Organization not found') : jsonAnswer(200, orgJson(found));
      },
    };
  }
  if (e !== 'sddcs') return vmcError(404, path, 'not_found', 'Not found');
  if (sddc === undefined) {
    return {
      endpoint: 'sddcs',
      family: 'vmc',
      org,
      run: () => {
        const denied = orgAccess(deps, req, path, org, 'sddcs');
        if (denied) return denied;
        const includeDeleted = url.searchParams.get('includeDeleted')?.toLowerCase() === 'true';
        return { status: 200, headers: { 'content-type': 'application/json' }, body: estate.body(org, query(includeDeleted)) };
      },
    };
  }
  return {
    endpoint: 'sddcs',
    family: 'vmc',
    org,
    run: () => {
      const denied = orgAccess(deps, req, path, org, 'sddcs');
      if (denied) return denied;
      const found = estate.sddc(org, sddc, query(true));
      return found === undefined
        ? vmcError(404, path, 'not_found', 'Cannot find the SDDC with given identifier')
        : jsonAnswer(200, found);
    },
  };
}
