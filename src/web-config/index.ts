/**
 * `--web.config.file`: the Prometheus exporter-toolkit web configuration format
 * (`tls_server_config`, `http_server_config`, `basic_auth_users`), parsed strictly and
 * validated up front, plus {@link WebConfigSource}, which re-reads the file and the
 * certificates it names when they change on disk.
 *
 * Errors are {@link ConfigError}s with one line of the form
 * `--web.config.file <path>: <field>: <problem>`. They never contain file contents,
 * inline keys or password hashes.
 *
 * The implementation is split by role; this module is the public entry point:
 * - `types.ts`: the exported types;
 * - `load.ts`: {@link loadWebConfig} (read, parse, check the TLS files);
 * - `parse.ts`, `tls-plan.ts`, `fields.ts`: YAML to
 *   validated settings, and the error messages;
 * - `tls-files.ts`: reading and checking PEM certificate, key and CA files;
 * - `reload.ts`: {@link WebConfigSource}.
 */
export { loadWebConfig } from './load.js';
export { WebConfigSource, type WebConfigListener, type WebConfigSourceOptions } from './reload.js';
export type {
  CertificateInfo,
  ClientAuthType,
  FileStat,
  HttpServerConfig,
  ReadFileFn,
  StatFn,
  TlsServerConfig,
  TlsVersionName,
  WebConfig,
  WebLogger,
} from './types.js';
