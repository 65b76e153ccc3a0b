/**
 * Pure extraction of the useful parts of an upstream (CSP / VMC) error body, for error
 * messages and logs. No I/O, no logging. Secret scrubbing is the caller's job: the message
 * is upstream text and may echo what was sent.
 */

import { asObject, type JsonObject } from '../lib/json.js';

/** What could be read from an error body; every field is optional. */
export interface ErrorBodyInfo {
  /** Human-readable message, one line, at most {@link MAX_ERROR_MESSAGE_LENGTH} characters. */
  readonly message?: string;
  /** Machine-readable code (`cspErrorCode`, `errorCode`, `error_code`, ...), as a string. */
  readonly code?: string;
  /** CSP `requestId`, for support cases. */
  readonly requestId?: string;
}

/** Longest `message` returned; longer ones are cut and end in `…`. */
export const MAX_ERROR_MESSAGE_LENGTH = 200;

/** Longest `code` / `requestId` returned. */
const MAX_TOKEN_LENGTH = 100;

// eslint-disable-next-line no-control-regex
const WHITESPACE_AND_CONTROLS = /[\s\u0000-\u001f\u007f]+/g;

/**
 * Reads an error response body. Understood shapes:
 * - CSP: `{statusCode, cspErrorCode, errorCode, message, moduleCode, requestId, traceId,
 *   metadata}` → `message`, code = `cspErrorCode` (else `errorCode`, else `moduleCode`),
 *   `requestId`;
 * - VMC `ErrorResponse`: `{status, path, retryable, error_code, error_messages[]}` →
 *   message = the messages joined with `'; '`, code = `error_code` (`path` is never returned);
 * - NSX style `{module_name, error_message, error_code}`;
 * - OAuth style `{error, error_description}` → message = description, code = `error`;
 * - `{error: "..."}` and `{message: "..."}`.
 *
 * Text that is not a JSON object (HTML, plain text, empty) gives `{}`. Strings are reduced to
 * one line (runs of whitespace and control characters become one space) and cut to length.
 *
 * @param text - the response body as text
 * @returns the fields found; absent ones are left out
 */
export function parseErrorBody(text: string): ErrorBodyInfo {
  const body = parseObject(text);
  if (body === undefined) return {};

  const message = clean(
    joinMessages(body['error_messages']) ??
      firstText(body['message'], body['error_message'], body['error_description'], body['error']),
    MAX_ERROR_MESSAGE_LENGTH,
  );
  const oauthCode = typeof body['error_description'] === 'string' ? body['error'] : undefined;
  const code = clean(
    firstString(
      body['cspErrorCode'],
      body['errorCode'],
      body['error_code'],
      oauthCode,
      body['moduleCode'],
    ),
    MAX_TOKEN_LENGTH,
  );
  const requestId = clean(firstText(body['requestId']), MAX_TOKEN_LENGTH);

  const info: { message?: string; code?: string; requestId?: string } = {};
  if (message !== undefined) info.message = message;
  if (code !== undefined) info.code = code;
  if (requestId !== undefined) info.requestId = requestId;
  return info;
}

/** `JSON.parse` of a body that looks like an object; anything else is undefined. */
function parseObject(text: string): JsonObject | undefined {
  let start = 0;
  while (start < text.length && /[\s\uFEFF]/.test(text.charAt(start))) start++;
  if (text.charAt(start) !== '{') return undefined; // HTML, plain text, arrays: no parse
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(start));
  } catch {
    return undefined;
  }
  return asObject(parsed);
}

/** VMC `error_messages`: the non-empty strings joined with `'; '`, else undefined. */
function joinMessages(value: unknown): string | undefined {
  if (!Array.isArray(value)) return undefined;
  const parts: string[] = [];
  for (const v of value as readonly unknown[]) {
    if (typeof v === 'string' && v.trim() !== '') parts.push(v.trim());
  }
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/** The first value that is a non-blank string. */
function firstText(...values: unknown[]): string | undefined {
  for (const v of values) {
    if (typeof v === 'string' && v.trim() !== '') return v;
  }
  return undefined;
}

/** The first value that is a non-blank string or a finite number, as a string. */
function firstString(...values: unknown[]): string | undefined {
  for (const v of values) {
    if (typeof v === 'string' && v.trim() !== '') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  }
  return undefined;
}

/** One line, trimmed, at most `max` characters (ending in `…` when cut). */
function clean(value: string | undefined, max: number): string | undefined {
  if (value === undefined) return undefined;
  const line = value.replace(WHITESPACE_AND_CONTROLS, ' ').trim();
  if (line === '') return undefined;
  if (line.length <= max) return line;
  let cut = line.slice(0, max - 1);
  // Do not leave half of a surrogate pair at the end.
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}
