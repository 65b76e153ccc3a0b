import { pino, type DestinationStream, type Logger } from 'pino';
import type { SecretRegistry } from './secrets.js';

/** Valid `--log.level` values, most verbose first. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** One `--log.level` value. */
export type LogLevel = (typeof LOG_LEVELS)[number];

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
 * Creates the process logger: JSON lines on `destination` (stdout by default) with
 * credential paths redacted and every message and error text passed through the secret
 * registry's scrubber.
 *
 * @param level - minimum level
 * @param secrets - scrubs known secret values out of messages and errors
 * @param destination - where lines go; tests pass a sink
 */
export function createLogger(level: LogLevel, secrets: SecretRegistry, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { name: 'vmc-exporter' },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
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
    destination ?? pino.destination({ fd: 1, sync: false }),
  );
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
