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
 * - `web-config-types.ts`: the exported types;
 * - `web-config-load.ts`: {@link loadWebConfig} (read, parse, check the TLS files);
 * - `web-config-parse.ts`, `web-config-tls-plan.ts`, `web-config-fields.ts`: YAML to
 *   validated settings, and the error messages;
 * - `tls-files.ts`: reading and checking PEM certificate, key and CA files;
 * - `web-config-reload.ts`: {@link WebConfigSource}.
 */
export { loadWebConfig } from './web-config-load.js';
export { WebConfigSource, type WebConfigListener, type WebConfigSourceOptions } from './web-config-reload.js';
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
} from './web-config-types.js';
