/**
 * Pure parsing of a CSP token response (`POST /csp/gateway/am/api/auth/token` or
 * `.../auth/api-tokens/authorize`). No I/O, no logging; errors never carry the token or any
 * body text.
 */

import { MalformedResponseError } from '../lib/errors.js';
import { jsonTypeName } from '../lib/json.js';

/** Lifetime assumed when `expires_in` is absent, null or not a positive number: 5 minutes. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 300;

/** The parts of a CSP token response the exporter uses. */
export interface ParsedToken {
  /** `access_token`, sent as the `csp-auth-token` header. Never log it. */
  readonly accessToken: string;
  /** `expires_in` in seconds (positive, finite), else {@link DEFAULT_TOKEN_LIFETIME_SECONDS}. */
  readonly expiresInSeconds: number;
}

/** A decimal number, as `expires_in` is sometimes sent as a string. */
const DECIMAL = /^\s*\d+(?:\.\d+)?\s*$/;

/** Control characters (incl. CR/LF): a token with them could not go into an HTTP header. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/**
 * Parses a CSP token response body (already `JSON.parse`d).
 *
 * `access_token` must be a non-empty string without whitespace-only content or control
 * characters, else {@link MalformedResponseError}. `expires_in` may be a number or a decimal
 * string; when it is absent, null, not positive or not finite the lifetime is
 * {@link DEFAULT_TOKEN_LIFETIME_SECONDS}. Other fields (`token_type`, `scope`, `id_token`,
 * `refresh_token`) are ignored.
 *
 * @param json - the parsed response body
 * @returns the access token and its lifetime in seconds
 * @throws MalformedResponseError when the body is not an object or has no usable token; the
 *   message names the problem only, never the token or body text
 */
export function parseTokenResponse(json: unknown): ParsedToken {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new MalformedResponseError(
      `expected a JSON object as token response, got ${jsonTypeName(json)}`,
    );
  }
  const body = json as Readonly<Record<string, unknown>>;
  const token = body['access_token'];
  if (typeof token !== 'string') {
    throw new MalformedResponseError(
      `token response has no access_token string (got ${jsonTypeName(token)})`,
    );
  }
  if (token.trim() === '') {
    throw new MalformedResponseError('token response has an empty access_token');
  }
  if (CONTROL_CHARS.test(token)) {
    throw new MalformedResponseError('token response access_token contains control characters');
  }
  return { accessToken: token, expiresInSeconds: readExpiresIn(body['expires_in']) };
}

function readExpiresIn(value: unknown): number {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && DECIMAL.test(value)) n = Number(value);
  else return DEFAULT_TOKEN_LIFETIME_SECONDS;
  return Number.isFinite(n) && n > 0 ? n : DEFAULT_TOKEN_LIFETIME_SECONDS;
}

