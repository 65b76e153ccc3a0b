import { pino, type DestinationStream, type Logger } from 'pino';
import { jsonToLogfmt } from './logfmt.js';
import type { SecretRegistry } from './secrets.js';

/** Valid `--log.level` values, most verbose first. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** One `--log.level` value. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Valid `--log.format` values, the default first. */
export const LOG_FORMATS = ['json', 'logfmt'] as const;

/** One `--log.format` value. */
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Paths pino censors whatever their value: credentials must never be logged. */
export const REDACT_PATHS = [
  'secret',
  'clientSecret',
  'apiToken',
  'accessToken',
  'token',
  'password',
  'authorization',
  'headers.authorization',
  'headers["csp-auth-token"]',
  '*.secret',
  '*.clientSecret',
  '*.apiToken',
  '*.accessToken',
  '*.token',
  '*.password',
  '*.authorization',
  '*["csp-auth-token"]',
];

/**
 * A destination that rewrites each of pino's JSON lines as a logfmt line before handing
 * it on; `flush` reaches the underlying stream.
 */
function logfmtDestination(target: DestinationStream): DestinationStream {
  const flushable = target as DestinationStream & { flush?: (cb?: (err?: Error) => void) => void; flushSync?: () => void };
  return {
    write: (line: string) => target.write(jsonToLogfmt(line)),
    ...(flushable.flush ? { flush: (cb?: (err?: Error) => void) => flushable.flush!(cb) } : {}),
    ...(flushable.flushSync ? { flushSync: () => flushable.flushSync!() } : {}),
  } as DestinationStream;
}

/**
 * Creates the process logger: JSON lines (or logfmt lines with `format` `logfmt`) on
 * `destination` (stdout by default) with credential paths redacted and every message and
 * error text passed through the secret registry's scrubber. Both formats are rendered from
 * the same redacted, scrubbed record.
 *
 * @param level - minimum level
 * @param secrets - scrubs known secret values out of messages and errors
 * @param destination - where lines go; tests pass a sink
 * @param format - `--log.format`. @default `json`
 */
export function createLogger(level: LogLevel, secrets: SecretRegistry, destination?: DestinationStream, format: LogFormat = 'json'): Logger {
  const target = destination ?? pino.destination({ fd: 1, sync: false });
  return pino(
    {
      level,
      base: { name: 'vmc-exporter' },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), log: (record) => scrubStrings(record, secrets) as Record<string, unknown> },
      serializers: {
        err: (err: unknown) => serializeError(err, secrets),
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? secrets.scrub(a) : a));
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    format === 'logfmt' ? logfmtDestination(target) : target,
  );
}

/** Every string in a log record's fields, scrubbed (errors are scrubbed by their serializer). */
function scrubStrings(value: unknown, secrets: SecretRegistry, depth = 0): unknown {
  if (typeof value === 'string') return secrets.scrub(value);
  if (depth > 8 || typeof value !== 'object' || value === null || value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => scrubStrings(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubStrings(v, secrets, depth + 1);
  return out;
}

/** A compact, scrubbed error: type, code and message (with causes), no stack. */
export function serializeError(err: unknown, secrets: SecretRegistry): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: secrets.scrub(String(err)) };
  const out: Record<string, unknown> = { type: err.name, message: secrets.scrub(err.message) };
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') out['code'] = code;
  if (err.cause instanceof Error) out['cause'] = secrets.scrub(`${err.cause.name}: ${err.cause.message}`);
  return out;
}
