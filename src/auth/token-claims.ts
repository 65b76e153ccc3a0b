/**
 * Reads the claims of a CSP access token, which is a JWT (`header.payload.signature`, each
 * part base64url), without verifying its signature: for diagnosis only (`vmc-exporter
 * check`), never to decide what the token may do. Pure; the result never holds the token.
 */

/** The claims `vmc-exporter check` reports. */
export interface TokenClaims {
  /** `context_name`: the org the token is for. */
  readonly org: string | undefined;
  /** `perms`: the roles (organization and service roles), as CSP names them. */
  readonly perms: readonly string[];
  /** `azp`: the OAuth app (client id) the token was issued to. */
  readonly clientId: string | undefined;
  /** `exp` in ms since the epoch. */
  readonly expiresAt: number | undefined;
}

function stringClaim(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Decodes the payload of a JWT-shaped token.
 *
 * @param token - the access token
 * @returns the claims, or undefined when the token is not a JWT with a JSON object payload
 */
export function readTokenClaims(token: string): TokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !/^[A-Za-z0-9_-]+$/.test(parts[1] ?? '')) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  const p = payload as Record<string, unknown>;
  const perms = Array.isArray(p['perms']) ? p['perms'].filter((x): x is string => typeof x === 'string') : [];
  const exp = typeof p['exp'] === 'number' && Number.isFinite(p['exp']) ? p['exp'] * 1000 : undefined;
  return { org: stringClaim(p['context_name']), perms, clientId: stringClaim(p['azp']), expiresAt: exp };
}

/** The org role every OAuth app needs to get a token for an org. */
export const ORG_MEMBER_PERM = 'csp:org_member';

/**
 * True when a perm is a VMware Cloud on AWS service role (`external/<service>/vmc-user:<role>`),
 * such as Administrator or Administrator (Delete Restricted).
 */
export function isVmcServiceRole(perm: string): boolean {
  return /^external\/[^/]+\/vmc-user:/.test(perm);
}
