/**
 * Validators for single flag values. Each takes the raw text and the name to blame
 * (`--cache.ttl`, `VMC_ORG_IDS`) and either returns the parsed value or throws a
 * one-line {@link ConfigError} starting with that name. Pure, no I/O.
 */

import { ConfigError } from '../lib/errors.js';
import { redactUrlCredentials } from '../lib/redact-url.js';
import { isNegativeDuration, parseDuration } from './duration.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../lib/logger.js';

/**
 * Parses a duration in seconds (`60`, `0.5`) or Prometheus syntax (`90s`, `5m`, `1m30s`).
 *
 * @param text - raw value
 * @param name - flag name for messages
 * @param min - `'zero'` allows 0; `'positive'` requires more than 0
 * @returns seconds
 * @throws ConfigError when `text` is not a duration, is negative, or is 0 with `'positive'`
 */
export function durationValue(text: string, name: string, min: 'zero' | 'positive' = 'zero'): number {
  if (isNegativeDuration(text)) throw new ConfigError(`${name}: "${text}" must not be negative`);
  const seconds = parseDuration(text);
  if (seconds === undefined) {
    throw new ConfigError(`${name}: "${text}" is not a duration (use seconds like 60, or 90s, 5m)`);
  }
  if (min === 'positive' && seconds === 0) throw new ConfigError(`${name}: "${text}" must be greater than 0`);
  return seconds;
}

/**
 * Parses a whole number written in decimal digits.
 *
 * @param text - raw value
 * @param name - flag name for messages
 * @param min - smallest accepted value (0 or 1 in practice)
 * @returns the number
 * @throws ConfigError for non-integers, negatives, values below `min` and unsafe integers
 */
export function integerValue(text: string, name: string, min: number): number {
  if (/^-\d+$/.test(text)) throw new ConfigError(`${name}: "${text}" must not be negative`);
  if (!/^\d+$/.test(text)) throw new ConfigError(`${name}: "${text}" is not a whole number`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new ConfigError(`${name}: "${text}" is too large`);
  if (n < min) throw new ConfigError(`${name}: "${text}" must be at least ${min}`);
  return n;
}

/**
 * Checks an absolute http(s) base URL and removes trailing slashes.
 *
 * @param text - raw value, e.g. `https://vmc.vmware.com/`
 * @param name - flag name for messages
 * @returns origin plus path without trailing slash, e.g. `https://vmc.vmware.com`
 * @throws ConfigError for relative or malformed URLs, other schemes, embedded
 *   credentials, and query strings or fragments; a message that quotes the value shows
 *   any user name and password as `***` (see {@link redactUrlCredentials})
 */
export function baseUrlValue(text: string, name: string): string {
  const shown = redactUrlCredentials(text);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`${name}: "${shown}" is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`${name}: "${shown}" must start with http:// or https://`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError(`${name}: must not contain a user name or password`);
  }
  if (url.search !== '' || url.hash !== '' || text.includes('?') || text.includes('#')) {
    throw new ConfigError(`${name}: "${shown}" must not have a query or fragment`);
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/**
 * Checks the metrics path.
 *
 * @param text - raw value, e.g. `/metrics`
 * @param name - flag name for messages
 * @returns `text` unchanged
 * @throws ConfigError unless it starts with `/`, is not `/` itself, is not under `/-/`
 *   (reserved for health endpoints) and uses only letters, digits and `/ . _ ~ -`
 */
export function telemetryPathValue(text: string, name: string): string {
  if (!text.startsWith('/')) throw new ConfigError(`${name}: "${text}" must start with /`);
  if (text === '/') throw new ConfigError(`${name}: "/" is not allowed; use a path like /metrics`);
  if (text.startsWith('/-/')) throw new ConfigError(`${name}: "${text}" is reserved (paths under /-/ are for health checks)`);
  if (!/^[A-Za-z0-9/._~-]+$/.test(text)) {
    throw new ConfigError(`${name}: "${text}" may only contain letters, digits and / . _ ~ -`);
  }
  return text;
}

/**
 * Checks a log level.
 *
 * @param text - raw value
 * @param name - flag name for messages
 * @returns the level
 * @throws ConfigError listing the valid levels
 */
export function logLevelValue(text: string, name: string): LogLevel {
  const level = LOG_LEVELS.find((l) => l === text);
  if (level === undefined) throw new ConfigError(`${name}: "${text}" is not one of ${LOG_LEVELS.join(', ')}`);
  return level;
}

/**
 * Checks a log format.
 *
 * @param text - raw value
 * @param name - flag name for messages
 * @returns the format
 * @throws ConfigError listing the valid formats
 */
export function logFormatValue(text: string, name: string): LogFormat {
  const format = LOG_FORMATS.find((f) => f === text);
  if (format === undefined) throw new ConfigError(`${name}: "${text}" is not one of ${LOG_FORMATS.join(', ')}`);
  return format;
}

const ORG_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * True when `text` has the shape of an org id: `^[A-Za-z0-9][A-Za-z0-9._-]*$` (VMC org ids
 * are UUIDs; the shape admits other ids the simulator and tests use).
 */
export function isOrgId(text: string): boolean {
  return ORG_ID.test(text);
}

/**
 * Splits comma-separated org ids and trims blanks around each.
 *
 * @param text - one `--vmc.org` value or the whole `VMC_ORG_IDS` value
 * @param name - flag or variable name for messages
 * @returns the ids in order (repeats are removed by the parser, first occurrence wins)
 * @throws ConfigError for an empty id (`a,,b`, trailing comma) or one that does not match
 *   `^[A-Za-z0-9][A-Za-z0-9._-]*$`
 */
export function orgIdsValue(text: string, name: string): string[] {
  return text.split(',').map((raw) => {
    const id = raw.trim();
    if (id === '') throw new ConfigError(`${name}: empty org id in "${text}"`);
    if (!ORG_ID.test(id)) {
      throw new ConfigError(`${name}: "${id}" is not an org id (letters, digits, . _ -; starting with a letter or digit)`);
    }
    return id;
  });
}

/**
 * Checks that a value is not empty, for flags with free-form values such as paths and ids.
 *
 * @param text - raw value
 * @param name - flag name for messages
 * @returns `text` unchanged
 * @throws ConfigError when `text` is empty or only blanks
 */
export function nonEmptyValue(text: string, name: string): string {
  if (text.trim() === '') throw new ConfigError(`${name}: must not be empty`);
  return text;
}
