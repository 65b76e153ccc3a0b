/**
 * The data types of `--web.config.file`: the validated configuration ({@link WebConfig} and
 * its sections) and the injectable I/O and logging signatures the loader and the reload
 * source use. Types only; no runtime code.
 */
import type tls from 'node:tls';

/** Reads a whole file; rejects with a Node `ErrnoException` (with `code`) on failure. */
export type ReadFileFn = (path: string) => Promise<Buffer>;

/** The part of `fs.Stats` used to notice that a file changed. */
export interface FileStat {
  /** Inode number; changes when a file is replaced by rename (certbot, Kubernetes secrets). */
  readonly ino: number;
  /** Size in bytes. */
  readonly size: number;
  /** Last modification time in ms. */
  readonly mtimeMs: number;
  /** Last status change time in ms. */
  readonly ctimeMs: number;
}

/** Stats a file (following symlinks); rejects with a Node `ErrnoException` on failure. */
export type StatFn = (path: string) => Promise<FileStat>;

/** The logger calls this module makes; pino's logger fits. */
export interface WebLogger {
  /** A problem that does not stop the exporter. */
  warn(obj: object, msg: string): void;
  /** Optional: successful reloads are reported here. */
  info?(obj: object, msg: string): void;
}

/** `tls_server_config.client_auth_type`, as in Go's `crypto/tls.ClientAuthType`. */
export type ClientAuthType =
  | 'NoClientCert'
  | 'RequestClientCert'
  | 'RequireAnyClientCert'
  | 'VerifyClientCertIfGiven'
  | 'RequireAndVerifyClientCert';

/** `tls_server_config.min_version` / `max_version`. */
export type TlsVersionName = 'TLS10' | 'TLS11' | 'TLS12' | 'TLS13';

/** Facts about the serving certificate, for logs and tests (no key material). */
export interface CertificateInfo {
  /** Subject distinguished name, one attribute per line as Node prints it. */
  readonly subject: string;
  /** Serial number in upper-case hex. */
  readonly serialNumber: string;
  /** SHA-256 fingerprint, colon-separated upper-case hex. */
  readonly fingerprint256: string;
  /** Start of validity, as Node prints it. */
  readonly validFrom: string;
  /** End of validity, as Node prints it. */
  readonly validTo: string;
}

/** A validated `tls_server_config`. File paths are absolute. */
export interface TlsServerConfig {
  /** `cert_file`, absolute; undefined when the certificate is given inline (`cert`). */
  readonly certFile: string | undefined;
  /** `key_file`, absolute; undefined when the key is given inline (`key`). */
  readonly keyFile: string | undefined;
  /** `client_ca_file`, absolute; undefined when absent or given inline (`client_ca`). */
  readonly clientCaFile: string | undefined;
  /** Whether client CAs are configured at all (file or inline). */
  readonly hasClientCa: boolean;
  /** `client_auth_type`. @default `NoClientCert` */
  readonly clientAuthType: ClientAuthType;
  /** `min_version`. @default `TLS12` */
  readonly minVersion: TlsVersionName;
  /** `max_version`. @default `TLS13` */
  readonly maxVersion: TlsVersionName;
  /** `cipher_suites` as written (Go names); empty = library defaults. */
  readonly cipherSuites: readonly string[];
  /** `curve_preferences` as written (Go names); empty = library defaults. */
  readonly curvePreferences: readonly string[];
  /** `prefer_server_cipher_suites`. @default true */
  readonly preferServerCipherSuites: boolean;
  /** The leaf certificate that will be served. */
  readonly certificate: CertificateInfo;
  /**
   * Options for `tls.createSecureContext()` / `tls.Server#setSecureContext()`, including the
   * private key. A function, so that logging a `WebConfig` never prints key material.
   */
  readonly secureContextOptions: () => tls.SecureContextOptions;
}

/** A validated `http_server_config`. */
export interface HttpServerConfig {
  /** `http2`. Accepted for compatibility; the exporter serves HTTP/1.1 only. @default true */
  readonly http2: boolean;
  /** `headers`: extra response headers (blank values dropped). */
  readonly headers: ReadonlyMap<string, string>;
}

/** A loaded, validated web configuration file. */
export interface WebConfig {
  /** The config file path as given on the command line. */
  readonly path: string;
  /** TLS settings; undefined means plain HTTP. */
  readonly tls: TlsServerConfig | undefined;
  /** HTTP settings. */
  readonly http: HttpServerConfig;
  /** `basic_auth_users`: user name to bcrypt hash; undefined when none are configured. */
  readonly users: ReadonlyMap<string, string> | undefined;
  /** Absolute paths of every file this configuration was built from (config file first). */
  readonly files: readonly string[];
  /** The file holds no YAML document (nothing but blanks and comments). */
  readonly empty: boolean;
}
