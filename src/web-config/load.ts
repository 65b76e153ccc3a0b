/**
 * Loading a web configuration file end to end: read the file, parse it
 * (`parse.ts`), then read and check the TLS files it names (`tls-files.ts`).
 * {@link loadWebConfig} is the public entry point; {@link loadTracking} also reports the
 * files involved, for the reload source.
 */
import path from 'node:path';
import { ConfigError } from '../lib/errors.js';
import { describeReadError, readRegularFile } from '../lib/regular-file.js';
import { Problems } from './fields.js';
import { parseWebConfigText } from './parse.js';
import { buildTls } from './tls-files.js';
import type { ReadFileFn, WebConfig } from './types.js';

/** Largest web config, certificate, key or CA file read: 1 MiB (a certificate chain is a few KB). */
export const MAX_WEB_FILE_BYTES = 1024 * 1024;

/**
 * The default reader of the web config and the files it names: regular files of at most
 * {@link MAX_WEB_FILE_BYTES}, so a FIFO or a device never hangs a start or a reload.
 */
export const readWebFile: ReadFileFn = (path) => readRegularFile(path, MAX_WEB_FILE_BYTES);

/**
 * Loads like {@link loadWebConfig}; `onFiles` receives the absolute paths the file names as
 * soon as the YAML has been understood, even if reading those files then fails.
 */
export async function loadTracking(
  file: string,
  readFile: ReadFileFn,
  onFiles: (files: string[]) => void,
): Promise<WebConfig> {
  const p = new Problems(file);
  const abs = path.resolve(file);
  onFiles([abs]);
  let text: string;
  try {
    text = (await readFile(abs)).toString('utf8');
  } catch (err) {
    throw new ConfigError(`--web.config.file: cannot read "${file}": ${describeReadError(err)}`);
  }
  const { plan, http, users, empty } = parseWebConfigText(text, path.dirname(abs), p);

  const files = [abs];
  for (const src of [plan?.cert, plan?.key, plan?.ca]) {
    if (src?.file !== undefined && !files.includes(src.file)) files.push(src.file);
  }
  onFiles(files);

  const tlsConfig = plan === undefined ? undefined : await buildTls(plan, readFile, p);
  return { path: file, tls: tlsConfig, http, users, files, empty };
}

/**
 * Reads and validates a web configuration file: YAML syntax, unknown fields, types and
 * enumerations, bcrypt hash syntax, and for TLS that the certificate, key and client CA
 * can be read and parsed, that the key matches the certificate and that Node can build a
 * TLS context from them. Relative paths are resolved against the file's directory.
 *
 * @param file - the `--web.config.file` value
 * @param readFile - file reader, injected for tests
 * @returns the validated configuration
 * @throws ConfigError - one line naming the file and the field
 */
export async function loadWebConfig(file: string, readFile: ReadFileFn = readWebFile): Promise<WebConfig> {
  return loadTracking(file, readFile, () => undefined);
}
