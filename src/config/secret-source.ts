/**
 * Reading secrets and checking files named by flags. Messages name the flag and path and
 * the OS reason, never file contents.
 */

import { ConfigError } from '../lib/errors.js';
import { describeReadError, readRegularFile } from '../lib/regular-file.js';

/**
 * Reads a whole text file; injectable for tests. Rejects with a Node errno error, or with a
 * refusal whose message is the reason (see {@link readTextFile}). `maxBytes` is a limit the
 * reader may enforce early; {@link readSecretFile} checks it again on the result.
 */
export type ReadFile = (path: string, maxBytes?: number) => Promise<string>;

/**
 * Largest secret file accepted: 64 KiB. A client secret or API token is well under 1 KiB;
 * anything much bigger is the wrong file, and would be sent as a header of that size.
 */
export const MAX_SECRET_FILE_BYTES = 64 * 1024;

/** The real file reader (UTF-8), for regular files only (see `readRegularFile`). */
export const readTextFile: ReadFile = async (path, maxBytes) => (await readRegularFile(path, maxBytes)).toString('utf8');

/**
 * Reads a file named by a flag, turning failures into a {@link ConfigError}.
 *
 * @param flag - e.g. `--web.config.file`
 * @param path - the path as given
 * @param readFile - file reader
 * @param maxBytes - largest size accepted, when limited
 * @returns the contents
 * @throws ConfigError `<flag>: cannot read "<path>": <reason>`
 */
export async function readFlagFile(flag: string, path: string, readFile: ReadFile, maxBytes?: number): Promise<string> {
  let text: string;
  try {
    text = await (maxBytes === undefined ? readFile(path) : readFile(path, maxBytes));
  } catch (err) {
    throw new ConfigError(`${flag}: cannot read "${path}": ${describeReadError(err)}`);
  }
  if (maxBytes !== undefined && Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw new ConfigError(`${flag}: cannot read "${path}": larger than ${maxBytes / 1024} KiB`);
  }
  return text;
}

/**
 * Reads a secret file: contents with surrounding whitespace (such as the trailing newline)
 * trimmed. Only a regular file of at most {@link MAX_SECRET_FILE_BYTES} is read (see
 * {@link readTextFile}).
 *
 * @param flag - e.g. `--auth.client-secret-file`
 * @param path - the path as given
 * @param readFile - file reader
 * @returns the trimmed secret
 * @throws ConfigError when the file cannot be read, is not a regular file, is larger than
 *   64 KiB or is empty after trimming
 */
export async function readSecretFile(flag: string, path: string, readFile: ReadFile): Promise<string> {
  const secret = (await readFlagFile(flag, path, readFile, MAX_SECRET_FILE_BYTES)).trim();
  if (secret === '') throw new ConfigError(`${flag}: "${path}" is empty`);
  return secret;
}

/** Where a secret comes from, as resolved from flags and environment. */
export type SecretOrigin =
  | { readonly from: 'file'; readonly flag: string; readonly path: string }
  | { readonly from: 'env'; readonly variable: string; readonly value: string };

/**
 * Builds the `readSecret` / `secretSource` pair of an `AuthConfig` after checking
 * once that the secret is usable now.
 *
 * A file is re-read on every `readSecret()` call, so a rotated or fixed secret file is
 * picked up without a restart; an environment value is the one captured at startup.
 *
 * @param origin - file (flag and path) or environment variable (name and value)
 * @param readFile - file reader
 * @returns `readSecret` and `secretSource` (`file /path` or `env VMC_CLIENT_SECRET`)
 * @throws ConfigError when the file cannot be read or is empty now
 */
export async function openSecret(
  origin: SecretOrigin,
  readFile: ReadFile,
): Promise<{ readSecret: () => Promise<string>; secretSource: string }> {
  if (origin.from === 'env') {
    const value = origin.value;
    return { readSecret: () => Promise.resolve(value), secretSource: `env ${origin.variable}` };
  }
  const { flag, path } = origin;
  await readSecretFile(flag, path, readFile);
  return { readSecret: () => readSecretFile(flag, path, readFile), secretSource: `file ${path}` };
}
