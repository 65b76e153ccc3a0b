/**
 * Pure parsing of a CSP token response (`POST /csp/gateway/am/api/auth/token` or
 * `.../auth/api-tokens/authorize`). No I/O, no logging; errors never carry the token or any
 * body text.
 */

import { MalformedResponseError } from '../lib/errors.js';
import { jsonTypeName } from '../lib/json.js';

/** Lifetime assumed when `expires_in` is absent, null or not a positive number: 5 minutes. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 300;

/**
 * Shortest lifetime used: 10 s. A shorter `expires_in` (CSP sends 1799) would make every
 * collection ask for a new token; a token that really expires sooner is refused by VMC with
 * 401, which fetches a new one.
 */
export const MIN_TOKEN_LIFETIME_SECONDS = 10;

/**
 * Longest lifetime used: 24 h. A larger `expires_in` (`1e308`) would overflow the expiry
 * arithmetic into `Infinity`/`NaN`; a token is renewed at least this often.
 */
export const MAX_TOKEN_LIFETIME_SECONDS = 86_400;

/** The parts of a CSP token response the exporter uses. */
export interface ParsedToken {
  /** `access_token`, sent as the `csp-auth-token` header. Never log it. */
  readonly accessToken: string;
  /**
   * `expires_in` in seconds, clamped to {@link MIN_TOKEN_LIFETIME_SECONDS} –
   * {@link MAX_TOKEN_LIFETIME_SECONDS}; {@link DEFAULT_TOKEN_LIFETIME_SECONDS} when absent or
   * not a positive number.
   */
  readonly expiresInSeconds: number;
}

/** A decimal number, as `expires_in` is sometimes sent as a string. */
const DECIMAL = /^\s*\d+(?:\.\d+)?\s*$/;

/**
 * An access token: visible ASCII only (0x21-0x7E). A subset of what Node and undici accept
 * in a header value (they also take tab, space and 0x80-0xFF); CSP tokens are JWTs
 * (base64url and dots), so anything else is a broken response, refused here rather than on
 * every VMC call.
 */
const TOKEN_CHARS = /^[\x21-\x7e]+$/;

/**
 * Parses a CSP token response body (already `JSON.parse`d).
 *
 * `access_token` must be a non-empty string of visible ASCII characters (no whitespace,
 * control or non-ASCII characters: it becomes a header value), else
 * {@link MalformedResponseError}. `expires_in` may be a number or a decimal string; when it
 * is absent, null, NaN or not positive the lifetime is
 * {@link DEFAULT_TOKEN_LIFETIME_SECONDS}, else it is clamped to 10 s – 24 h
 * ({@link MIN_TOKEN_LIFETIME_SECONDS}, {@link MAX_TOKEN_LIFETIME_SECONDS}). Other fields
 * (`token_type`, `scope`, `id_token`, `refresh_token`) are ignored.
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
  if (!TOKEN_CHARS.test(token)) {
    throw new MalformedResponseError('token response access_token has characters that cannot go into an HTTP header (only visible ASCII is accepted)');
  }
  return { accessToken: token, expiresInSeconds: readExpiresIn(body['expires_in']) };
}

function readExpiresIn(value: unknown): number {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && DECIMAL.test(value)) n = Number(value);
  else return DEFAULT_TOKEN_LIFETIME_SECONDS;
  // NaN and non-positive values mean nothing; Infinity (`1e999` in JSON) is just too long.
  if (Number.isNaN(n) || n <= 0) return DEFAULT_TOKEN_LIFETIME_SECONDS;
  return Math.min(MAX_TOKEN_LIFETIME_SECONDS, Math.max(MIN_TOKEN_LIFETIME_SECONDS, n));
}

