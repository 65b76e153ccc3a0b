/**
 * The simulator's CSP API-token details endpoint: `POST
 * /csp/gateway/am/api/auth/api-tokens/details` with the JSON body `{"tokenValue": "…"}`,
 * anonymous like CSP's. The known API token gets an `ApiTokenDetailsDto` whose `expiresAt`
 * is in seconds or in milliseconds (the sources disagree; the simulator serves either), any
 * other token 404, a missing one 400.
 */
import type { SimulatorCredentials } from './csp-routes.js';
import { type Answer, cspError, jsonAnswer } from './responses.js';
import type { Route } from './route.js';

/** CSP path of the API-token details endpoint. */
export const API_TOKEN_DETAILS_PATH = '/csp/gateway/am/api/auth/api-tokens/details';

/** The details the simulator reports about its API token. */
export interface ApiTokenDetailsOptions {
  /** When the token expires, ms since the epoch. */
  readonly expiresAtMs: number;
  /** How `expiresAt` (and `createdAt`, `lastUsedAt`) are written. @default 'seconds' */
  readonly unit?: 'seconds' | 'milliseconds';
}

/** What the details endpoint needs. */
export interface TokenDetailsDeps {
  /** The accepted credentials (the API token). */
  readonly credentials: SimulatorCredentials;
  /** The token's details (live: a test may change them). */
  readonly details: () => ApiTokenDetailsOptions;
  /** The token's org (the home org). */
  readonly orgId: () => string | undefined;
}

function answer(deps: TokenDetailsDeps, raw: Buffer): Answer {
  let value: unknown;
  try {
    value = (JSON.parse(raw.toString('utf8')) as { tokenValue?: unknown }).tokenValue;
  } catch {
    value = undefined;
  }
  if (typeof value !== 'string' || value === '') return cspError(400, '540.110-340.400', 'invalid_request: Missing mandatory parameter: tokenValue', '540');
  if (value !== deps.credentials.apiToken) return cspError(404, '540.120-340.800', 'Resource not found: invalid API token', '540');
  const d = deps.details();
  const at = (ms: number) => (d.unit === 'milliseconds' ? ms : Math.floor(ms / 1000));
  return jsonAnswer(200, {
    tokenName: 'prometheus-exporter',
    tokenId: 'tok-00000000-0000-4000-8000-000000000001',
    token: value,
    orgId: deps.orgId() ?? '',
    userId: '9e9e9e9e-aaaa-4bbb-8ccc-dddddddddddd',
    username: 'sim-user@example.com',
    acct: 'sim-user@example.com',
    domain: 'example.com',
    idpId: 'idp-0001',
    createdAt: at(d.expiresAtMs - 180 * 86_400_000),
    expiresAt: at(d.expiresAtMs),
    lastUsedAt: at(d.expiresAtMs - 190 * 86_400_000),
    scope: ['openid'],
    deactivated: false,
  });
}

/**
 * Routes the details path: the route, 405 for a method other than POST, or undefined for
 * any other path.
 */
export function tokenDetailsRoute(deps: TokenDetailsDeps, path: string, method: string): Route | Answer | undefined {
  if (path !== API_TOKEN_DETAILS_PATH) return undefined;
  if (method !== 'POST') return cspError(405, '250.405', 'Method not allowed', 250);
  return { endpoint: 'api-token-details', family: 'csp', org: undefined, run: (_form, raw) => answer(deps, raw) };
}
