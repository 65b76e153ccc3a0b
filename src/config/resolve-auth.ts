/**
 * Resolves CSP credentials from `--auth.*` flags and `VMC_*` environment variables.
 * A flag wins over its environment variable; empty or blank variables count as unset.
 */

import { ConfigError } from '../lib/errors.js';
import type { AuthConfig } from './config.js';
import { openSecret, type ReadFile, type SecretOrigin } from './secret-source.js';
import { nonEmptyValue } from './values.js';

/** The `--auth.*` flag values as given (`undefined` = flag absent). */
export interface AuthFlags {
  /** `--auth.client-id` */
  readonly clientId: string | undefined;
  /** `--auth.client-secret-file` */
  readonly clientSecretFile: string | undefined;
  /** `--auth.api-token-file` */
  readonly apiTokenFile: string | undefined;
}

/** The message when neither an OAuth app nor an API token is configured (and no `--demo`). */
export const NO_CREDENTIALS_MESSAGE =
  'no credentials: set VMC_CLIENT_ID and VMC_CLIENT_SECRET (or --auth.client-id and --auth.client-secret-file), ' +
  'or VMC_API_TOKEN / --auth.api-token-file; or run with --demo to use the built-in simulator';

/**
 * Reads an environment variable; `undefined`, empty and blank values count as unset.
 *
 * @param env - the environment
 * @param name - variable name
 * @returns the value with surrounding whitespace trimmed, or `undefined`
 */
export function envValue(env: Record<string, string | undefined>, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** Picks the flag (a file) over the environment variable (the value itself). */
function secretOrigin(
  flag: string,
  path: string | undefined,
  variable: string,
  env: Record<string, string | undefined>,
): SecretOrigin | undefined {
  if (path !== undefined) return { from: 'file', flag, path: nonEmptyValue(path, flag) };
  const value = envValue(env, variable);
  return value === undefined ? undefined : { from: 'env', variable, value };
}

function originName(origin: SecretOrigin): string {
  return origin.from === 'file' ? origin.flag : origin.variable;
}

/**
 * Works out the credentials: an OAuth app (client id + secret) or a user API token.
 * Secret files are read once here to fail fast; `readSecret()` re-reads them later.
 *
 * @param flags - the `--auth.*` flag values
 * @param env - the environment (`VMC_CLIENT_ID`, `VMC_CLIENT_SECRET`, `VMC_API_TOKEN`)
 * @param readFile - file reader
 * @returns the auth configuration
 * @throws ConfigError when there are no credentials, only half an OAuth app, both an OAuth
 *   app and an API token, an empty flag value, or a missing, unreadable or empty secret file
 */
export async function resolveAuth(
  flags: AuthFlags,
  env: Record<string, string | undefined>,
  readFile: ReadFile,
): Promise<AuthConfig> {
  const clientId =
    flags.clientId !== undefined
      ? { value: nonEmptyValue(flags.clientId, '--auth.client-id').trim(), name: '--auth.client-id' }
      : mapDefined(envValue(env, 'VMC_CLIENT_ID'), (value) => ({ value, name: 'VMC_CLIENT_ID' }));
  const secret = secretOrigin('--auth.client-secret-file', flags.clientSecretFile, 'VMC_CLIENT_SECRET', env);
  const token = secretOrigin('--auth.api-token-file', flags.apiTokenFile, 'VMC_API_TOKEN', env);

  if (token !== undefined && (clientId !== undefined || secret !== undefined)) {
    const found = [clientId?.name, secret && originName(secret), originName(token)].filter((n) => n !== undefined);
    throw new ConfigError(
      `configure either an OAuth app (client id + secret) or an API token, not both (found ${found.join(', ')})`,
    );
  }
  if (token !== undefined) return { kind: 'api-token', ...(await openSecret(token, readFile)) };
  if (clientId !== undefined && secret === undefined) {
    throw new ConfigError(
      `${clientId.name} is set but the client secret is missing: set VMC_CLIENT_SECRET or --auth.client-secret-file`,
    );
  }
  if (secret !== undefined && clientId === undefined) {
    throw new ConfigError(`${originName(secret)} is set but the client id is missing: set VMC_CLIENT_ID or --auth.client-id`);
  }
  if (clientId !== undefined && secret !== undefined) {
    return { kind: 'oauth', clientId: clientId.value, ...(await openSecret(secret, readFile)) };
  }
  throw new ConfigError(NO_CREDENTIALS_MESSAGE);
}

function mapDefined<T, U>(value: T | undefined, f: (v: T) => U): U | undefined {
  return value === undefined ? undefined : f(value);
}
