/**
 * `--web.config.file`: the Prometheus exporter-toolkit web configuration format
 * (`tls_server_config`, `http_server_config`, `basic_auth_users`), parsed strictly and
 * validated up front, plus {@link WebConfigSource}, which re-reads the file and the
 * certificates it names when they change on disk.
 *
 * Errors are {@link ConfigError}s with one line of the form
 * `--web.config.file <path>: <field>: <problem>`. They never contain file contents,
 * inline keys or password hashes.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile as fsReadFile, stat as fsStat } from 'node:fs/promises';
import path from 'node:path';
import tls from 'node:tls';
import { LineCounter, parseDocument } from 'yaml';
import { systemClock, type Clock } from '../lib/clock.js';
import { ConfigError } from '../lib/errors.js';

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
}

/** Go's names for the values of `client_auth_type` (plus the toolkit's legacy alias). */
const CLIENT_AUTH_TYPES: ReadonlyMap<string, ClientAuthType> = new Map<string, ClientAuthType>([
  ['NoClientCert', 'NoClientCert'],
  ['RequestClientCert', 'RequestClientCert'],
  ['RequireAnyClientCert', 'RequireAnyClientCert'],
  ['RequireClientCert', 'RequireAnyClientCert'],
  ['VerifyClientCertIfGiven', 'VerifyClientCertIfGiven'],
  ['RequireAndVerifyClientCert', 'RequireAndVerifyClientCert'],
]);

const TLS_VERSIONS: Readonly<Record<TlsVersionName, tls.SecureVersion>> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
};
const TLS_VERSION_ORDER: readonly TlsVersionName[] = ['TLS10', 'TLS11', 'TLS12', 'TLS13'];

/**
 * Go cipher suite names (those `tls.CipherSuites()` returns) to OpenSSL names. TLS 1.3
 * suites map to `undefined`: Go does not let them be configured and ignores them, so do we.
 */
const CIPHER_SUITES: ReadonlyMap<string, string | undefined> = new Map([
  ['TLS_RSA_WITH_AES_128_CBC_SHA', 'AES128-SHA'],
  ['TLS_RSA_WITH_AES_256_CBC_SHA', 'AES256-SHA'],
  ['TLS_RSA_WITH_AES_128_GCM_SHA256', 'AES128-GCM-SHA256'],
  ['TLS_RSA_WITH_AES_256_GCM_SHA384', 'AES256-GCM-SHA384'],
  ['TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 'ECDHE-ECDSA-AES128-SHA'],
  ['TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', 'ECDHE-ECDSA-AES256-SHA'],
  ['TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 'ECDHE-RSA-AES128-SHA'],
  ['TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', 'ECDHE-RSA-AES256-SHA'],
  ['TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256'],
  ['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'ECDHE-RSA-AES128-GCM-SHA256'],
  ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 'ECDHE-ECDSA-AES256-GCM-SHA384'],
  ['TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 'ECDHE-RSA-AES256-GCM-SHA384'],
  ['TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-RSA-CHACHA20-POLY1305'],
  ['TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 'ECDHE-ECDSA-CHACHA20-POLY1305'],
  ['TLS_AES_128_GCM_SHA256', undefined],
  ['TLS_AES_256_GCM_SHA384', undefined],
  ['TLS_CHACHA20_POLY1305_SHA256', undefined],
]);

/** Go curve names accepted by the toolkit to OpenSSL group names. */
const CURVES: ReadonlyMap<string, string> = new Map([
  ['CurveP256', 'P-256'],
  ['CurveP384', 'P-384'],
  ['CurveP521', 'P-521'],
  ['X25519', 'X25519'],
]);

/**
 * Headers `http_server_config.headers` may set, with their allowed values when the toolkit
 * restricts them (empty = any value). Same names and spelling as the toolkit.
 */
const EXTRA_HEADERS: ReadonlyMap<string, readonly string[]> = new Map([
  ['Content-Security-Policy', []],
  ['Strict-Transport-Security', []],
  ['X-Content-Type-Options', ['nosniff']],
  ['X-Frame-Options', ['deny', 'sameorigin']],
  ['X-XSS-Protection', []],
]);

/** A bcrypt hash as produced by htpasswd (`$2y$`), Go (`$2a$`) or bcryptjs (`$2b$`). */
const BCRYPT_HASH = /^\$2[aby]?\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$/;

const TOP_LEVEL = { known: ['tls_server_config', 'http_server_config', 'basic_auth_users'], unsupported: ['rate_limit'] };
const TLS_KEYS = {
  known: [
    'cert',
    'key',
    'client_ca',
    'cert_file',
    'key_file',
    'client_ca_file',
    'client_auth_type',
    'min_version',
    'max_version',
    'cipher_suites',
    'prefer_server_cipher_suites',
    'curve_preferences',
  ],
  unsupported: ['client_allowed_sans'],
};
const HTTP_KEYS = { known: ['http2', 'headers'], unsupported: [] };

/** Builds the errors for one file. */
class Problems {
  constructor(readonly file: string) {}

  /** An error about one field. */
  field(field: string, problem: string): ConfigError {
    return new ConfigError(`--web.config.file ${this.file}: ${field}: ${problem}`);
  }

  /** An error about the file as a whole. */
  whole(problem: string): ConfigError {
    return new ConfigError(`--web.config.file ${this.file}: ${problem}`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describeReadError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return `cannot read (${code ?? 'unknown error'})`;
  }
}

/** Checks a mapping's keys: unknown ones and known-but-unsupported ones are errors. */
function checkKeys(
  obj: Record<string, unknown>,
  keys: { known: readonly string[]; unsupported: readonly string[] },
  prefix: string,
  p: Problems,
): void {
  for (const key of Object.keys(obj)) {
    if (keys.known.includes(key)) continue;
    const name = prefix + key;
    if (keys.unsupported.includes(key)) throw p.field(name, 'not supported by vmc-exporter');
    throw p.field(name, 'unknown field');
  }
}

/** An optional string; null and '' mean unset (Go's zero value). */
function optString(obj: Record<string, unknown>, key: string, field: string, p: Problems): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw p.field(field, 'must be a string');
  return v;
}

function optBool(obj: Record<string, unknown>, key: string, field: string, p: Problems, dflt: boolean): boolean {
  const v = obj[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw p.field(field, 'must be true or false');
  return v;
}

function optStringList(obj: Record<string, unknown>, key: string, field: string, p: Problems): string[] {
  const v = obj[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw p.field(field, 'must be a list of strings');
  return v.map((item, i) => {
    if (typeof item !== 'string') throw p.field(`${field}[${i}]`, 'must be a string');
    return item;
  });
}

function optSection(obj: Record<string, unknown>, key: string, p: Problems): Record<string, unknown> | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) throw p.field(key, 'must be a mapping');
  return v;
}

/** Where one piece of PEM material comes from. */
interface PemSource {
  /** Field name for messages (`tls_server_config.cert_file` or `tls_server_config.cert`). */
  readonly field: string;
  /** Absolute path, or undefined when inline. */
  readonly file: string | undefined;
  /** Inline PEM text. */
  readonly inline: string | undefined;
}

/** What the YAML says about TLS, before any file is read. */
interface TlsPlan {
  readonly cert: PemSource;
  readonly key: PemSource;
  readonly ca: PemSource | undefined;
  readonly clientAuthType: ClientAuthType;
  readonly minVersion: TlsVersionName;
  readonly maxVersion: TlsVersionName;
  readonly cipherSuites: readonly string[];
  readonly ciphers: string | undefined;
  readonly curvePreferences: readonly string[];
  readonly ecdhCurve: string | undefined;
  readonly preferServerCipherSuites: boolean;
}

function pemSource(
  t: Record<string, unknown>,
  inlineKey: string,
  fileKey: string,
  dir: string,
  p: Problems,
): PemSource | undefined {
  const inline = optString(t, inlineKey, `tls_server_config.${inlineKey}`, p);
  const file = optString(t, fileKey, `tls_server_config.${fileKey}`, p);
  if (inline !== undefined && file !== undefined) {
    throw p.field(`tls_server_config.${inlineKey}`, `cannot be used together with ${fileKey}`);
  }
  if (file !== undefined) return { field: `tls_server_config.${fileKey}`, file: path.resolve(dir, file), inline: undefined };
  if (inline !== undefined) return { field: `tls_server_config.${inlineKey}`, file: undefined, inline };
  return undefined;
}

function tlsVersion(t: Record<string, unknown>, key: string, dflt: TlsVersionName, p: Problems): TlsVersionName {
  const field = `tls_server_config.${key}`;
  const v = optString(t, key, field, p);
  if (v === undefined) return dflt;
  if (!(TLS_VERSION_ORDER as readonly string[]).includes(v)) {
    throw p.field(field, `${JSON.stringify(v)} is not one of ${TLS_VERSION_ORDER.join(', ')}`);
  }
  return v as TlsVersionName;
}

function planTls(t: Record<string, unknown>, dir: string, p: Problems): TlsPlan | undefined {
  checkKeys(t, TLS_KEYS, 'tls_server_config.', p);

  const authRaw = optString(t, 'client_auth_type', 'tls_server_config.client_auth_type', p);
  let clientAuthType: ClientAuthType = 'NoClientCert';
  if (authRaw !== undefined) {
    const mapped = CLIENT_AUTH_TYPES.get(authRaw);
    if (mapped === undefined) {
      throw p.field(
        'tls_server_config.client_auth_type',
        `${JSON.stringify(authRaw)} is not one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert`,
      );
    }
    clientAuthType = mapped;
  }

  const minVersion = tlsVersion(t, 'min_version', 'TLS12', p);
  const maxVersion = tlsVersion(t, 'max_version', 'TLS13', p);
  if (TLS_VERSION_ORDER.indexOf(minVersion) > TLS_VERSION_ORDER.indexOf(maxVersion)) {
    throw p.field('tls_server_config.min_version', `${minVersion} is above max_version ${maxVersion}`);
  }

  const cipherSuites = optStringList(t, 'cipher_suites', 'tls_server_config.cipher_suites', p);
  const openSslCiphers: string[] = [];
  cipherSuites.forEach((name, i) => {
    if (!CIPHER_SUITES.has(name)) {
      throw p.field(`tls_server_config.cipher_suites[${i}]`, `unknown cipher suite ${JSON.stringify(name)}`);
    }
    const mapped = CIPHER_SUITES.get(name);
    if (mapped !== undefined) openSslCiphers.push(mapped);
  });

  const curvePreferences = optStringList(t, 'curve_preferences', 'tls_server_config.curve_preferences', p);
  const groups = curvePreferences.map((name, i) => {
    const mapped = CURVES.get(name);
    if (mapped === undefined) {
      throw p.field(
        `tls_server_config.curve_preferences[${i}]`,
        `unknown curve ${JSON.stringify(name)} (one of ${[...CURVES.keys()].join(', ')})`,
      );
    }
    return mapped;
  });

  const preferServerCipherSuites = optBool(
    t,
    'prefer_server_cipher_suites',
    'tls_server_config.prefer_server_cipher_suites',
    p,
    true,
  );

  const cert = pemSource(t, 'cert', 'cert_file', dir, p);
  const key = pemSource(t, 'key', 'key_file', dir, p);
  const ca = pemSource(t, 'client_ca', 'client_ca_file', dir, p);

  if (cert === undefined && key === undefined && ca === undefined && authRaw === undefined) {
    // Unlike the toolkit (which silently serves plain HTTP here), a tls_server_config with
    // only versions/ciphers is almost certainly a mistake: say so.
    if (Object.values(t).some((v) => v !== undefined && v !== null)) {
      throw p.field('tls_server_config.cert_file', 'missing; set cert_file or cert');
    }
    return undefined;
  }
  if (cert === undefined) throw p.field('tls_server_config.cert_file', 'missing; set cert_file or cert');
  if (key === undefined) throw p.field('tls_server_config.key_file', 'missing; set key_file or key');

  const verifies = clientAuthType === 'VerifyClientCertIfGiven' || clientAuthType === 'RequireAndVerifyClientCert';
  if (verifies && ca === undefined) {
    throw p.field('tls_server_config.client_ca_file', `required when client_auth_type is ${clientAuthType}`);
  }
  if (ca !== undefined && clientAuthType === 'NoClientCert') {
    throw p.field(ca.field, 'set but client_auth_type is NoClientCert');
  }

  return {
    cert,
    key,
    ca,
    clientAuthType,
    minVersion,
    maxVersion,
    cipherSuites,
    ciphers: openSslCiphers.length > 0 ? openSslCiphers.join(':') : undefined,
    curvePreferences,
    ecdhCurve: groups.length > 0 ? groups.join(':') : undefined,
    preferServerCipherSuites,
  };
}

function parseHttp(h: Record<string, unknown> | undefined, p: Problems): HttpServerConfig {
  if (h === undefined) return { http2: true, headers: new Map() };
  checkKeys(h, HTTP_KEYS, 'http_server_config.', p);
  const http2 = optBool(h, 'http2', 'http_server_config.http2', p, true);
  const headers = new Map<string, string>();
  const raw = h['headers'];
  if (raw !== undefined && raw !== null) {
    if (!isRecord(raw)) throw p.field('http_server_config.headers', 'must be a mapping of header name to value');
    for (const [name, value] of Object.entries(raw)) {
      const field = `http_server_config.headers.${name}`;
      const allowed = EXTRA_HEADERS.get(name);
      if (allowed === undefined) {
        throw p.field(field, `cannot be configured (allowed: ${[...EXTRA_HEADERS.keys()].join(', ')})`);
      }
      if (value === undefined || value === null || value === '') continue;
      if (typeof value !== 'string') throw p.field(field, 'must be a string');
      if (allowed.length > 0 && !allowed.includes(value)) throw p.field(field, `must be one of ${allowed.join(', ')}`);
      if (!/^[\t\x20-\x7e]*$/.test(value)) throw p.field(field, 'contains characters not allowed in a header value');
      headers.set(name, value);
    }
  }
  return { http2, headers };
}

function parseUsers(raw: unknown, p: Problems): ReadonlyMap<string, string> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isRecord(raw)) throw p.field('basic_auth_users', 'must be a mapping of user name to bcrypt hash');
  const users = new Map<string, string>();
  for (const [user, hash] of Object.entries(raw)) {
    // The user name is not a secret; the hash is never printed.
    if (typeof hash !== 'string' || !BCRYPT_HASH.test(hash)) throw p.field(`basic_auth_users.${user}`, 'not a bcrypt hash');
    users.set(user, hash);
  }
  return users.size > 0 ? users : undefined;
}

async function readPem(src: PemSource, readFile: ReadFileFn, p: Problems): Promise<string> {
  if (src.file === undefined) return src.inline ?? '';
  try {
    return (await readFile(src.file)).toString('utf8');
  } catch (err) {
    throw p.field(src.field, `${describeReadError(err)}: ${src.file}`);
  }
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Parses every PEM certificate block; undefined if there is none or one is broken. */
function parseCertificates(pem: string): X509Certificate[] | undefined {
  const blocks = pem.match(PEM_CERT);
  if (blocks === null) return undefined;
  try {
    return blocks.map((b) => new X509Certificate(b));
  } catch {
    return undefined;
  }
}

function where(src: PemSource): string {
  return src.file === undefined ? '' : `: ${src.file}`;
}

async function buildTls(plan: TlsPlan, readFile: ReadFileFn, p: Problems): Promise<TlsServerConfig> {
  const certPem = await readPem(plan.cert, readFile, p);
  const keyPem = await readPem(plan.key, readFile, p);
  const caPem = plan.ca === undefined ? undefined : await readPem(plan.ca, readFile, p);

  const chain = parseCertificates(certPem);
  const leaf = chain?.[0];
  if (leaf === undefined) throw p.field(plan.cert.field, `not a PEM certificate${where(plan.cert)}`);

  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(keyPem)) {
    throw p.field(plan.key.field, `encrypted private keys are not supported${where(plan.key)}`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw p.field(plan.key.field, `not a PEM private key${where(plan.key)}`);
  }
  if (!leaf.checkPrivateKey(key)) {
    throw p.field(plan.key.field, `does not match ${plan.cert.field.replace('tls_server_config.', '')}`);
  }

  if (plan.ca !== undefined && caPem !== undefined) {
    if (parseCertificates(caPem) === undefined) {
      throw p.field(plan.ca.field, `no valid PEM certificates found${where(plan.ca)}`);
    }
  }

  const options: tls.SecureContextOptions = {
    cert: certPem,
    key: keyPem,
    ...(caPem !== undefined ? { ca: caPem } : {}),
    minVersion: TLS_VERSIONS[plan.minVersion],
    maxVersion: TLS_VERSIONS[plan.maxVersion],
    honorCipherOrder: plan.preferServerCipherSuites,
    ...(plan.ciphers !== undefined ? { ciphers: plan.ciphers } : {}),
    ...(plan.ecdhCurve !== undefined ? { ecdhCurve: plan.ecdhCurve } : {}),
  };
  try {
    tls.createSecureContext(options);
  } catch (err) {
    // OpenSSL messages name the failing routine, never the input.
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw p.field('tls_server_config', `cannot build a TLS context: ${reason}`);
  }

  return {
    certFile: plan.cert.file,
    keyFile: plan.key.file,
    clientCaFile: plan.ca?.file,
    hasClientCa: plan.ca !== undefined,
    clientAuthType: plan.clientAuthType,
    minVersion: plan.minVersion,
    maxVersion: plan.maxVersion,
    cipherSuites: plan.cipherSuites,
    curvePreferences: plan.curvePreferences,
    preferServerCipherSuites: plan.preferServerCipherSuites,
    certificate: {
      subject: leaf.subject,
      serialNumber: leaf.serialNumber,
      fingerprint256: leaf.fingerprint256,
      validFrom: leaf.validFrom,
      validTo: leaf.validTo,
    },
    secureContextOptions: () => ({ ...options }),
  };
}

/**
 * Loads like {@link loadWebConfig}; `onFiles` receives the absolute paths the file names as
 * soon as the YAML has been understood, even if reading those files then fails.
 */
async function load(file: string, readFile: ReadFileFn, onFiles: (files: string[]) => void): Promise<WebConfig> {
  const p = new Problems(file);
  const abs = path.resolve(file);
  onFiles([abs]);
  let text: string;
  try {
    text = (await readFile(abs)).toString('utf8');
  } catch (err) {
    throw p.whole(describeReadError(err));
  }

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError !== undefined) {
    const { line, col } = lineCounter.linePos(yamlError.pos[0]);
    // Cut at ': ' so that quoted bits of the file (alias or tag names) are never echoed.
    const what =
      yamlError.code === 'MULTIPLE_DOCS'
        ? 'only one YAML document is allowed'
        : (yamlError.message.split('\n')[0]?.split(' at line ')[0]?.split(': ')[0] ?? yamlError.code);
    throw p.whole(`invalid YAML at line ${line}, column ${col}: ${what}`);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch {
    throw p.whole('invalid YAML: too many aliases');
  }
  if (raw === undefined || raw === null) raw = {};
  if (!isRecord(raw)) throw p.whole('the top level must be a mapping');

  checkKeys(raw, TOP_LEVEL, '', p);
  const dir = path.dirname(abs);
  const tlsSection = optSection(raw, 'tls_server_config', p);
  const plan = tlsSection === undefined ? undefined : planTls(tlsSection, dir, p);
  const http = parseHttp(optSection(raw, 'http_server_config', p), p);
  const users = parseUsers(raw['basic_auth_users'], p);

  const files = [abs];
  for (const src of [plan?.cert, plan?.key, plan?.ca]) {
    if (src?.file !== undefined && !files.includes(src.file)) files.push(src.file);
  }
  onFiles(files);

  const tlsConfig = plan === undefined ? undefined : await buildTls(plan, readFile, p);
  return { path: file, tls: tlsConfig, http, users, files };
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
export async function loadWebConfig(file: string, readFile: ReadFileFn = fsReadFile): Promise<WebConfig> {
  return load(file, readFile, () => undefined);
}

/** Options of {@link WebConfigSource.open}. */
export interface WebConfigSourceOptions {
  /** File reader. @default fs.promises.readFile */
  readonly readFile?: ReadFileFn;
  /** File stat. @default fs.promises.stat */
  readonly stat?: StatFn;
  /** Time source for the check interval. @default systemClock */
  readonly clock?: Clock;
  /** Minimum time between two looks at the files' stat data. @default 1000 */
  readonly checkIntervalMs?: number;
  /** Where failed reloads are reported (once per distinct problem). */
  readonly logger?: WebLogger;
}

/** Called with the new and the previous configuration after a successful reload. */
export type WebConfigListener = (next: WebConfig, previous: WebConfig) => void;

/**
 * A web configuration that follows the files on disk.
 *
 * {@link poll} looks at the stat data (inode, size, mtime, ctime) of the config file and of
 * every certificate, key and CA file it names, at most once per `checkIntervalMs`. When
 * anything changed it reloads with {@link loadWebConfig}; a reload that fails (for example
 * a certificate renewed but its key not yet written) keeps the last good configuration,
 * logs one warning per distinct problem and is retried on later polls. Switching TLS on or
 * off needs a restart and is refused the same way.
 */
export class WebConfigSource {
  readonly #path: string;
  readonly #readFile: ReadFileFn;
  readonly #stat: StatFn;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #logger: WebLogger | undefined;
  readonly #listeners: WebConfigListener[] = [];
  #current: WebConfig;
  /** Stat signature the current configuration was loaded from, per path. */
  #signature: Map<string, string>;
  /** Paths named by the last attempted load, when it failed after the YAML was understood. */
  #attemptedFiles: readonly string[] = [];
  #healthy = true;
  #lastWarning: string | undefined;
  #lastCheck: number;
  #inFlight: Promise<void> | undefined;

  private constructor(
    file: string,
    initial: WebConfig,
    signature: Map<string, string>,
    deps: Required<Omit<WebConfigSourceOptions, 'logger'>> & { logger: WebLogger | undefined },
  ) {
    this.#path = file;
    this.#current = initial;
    this.#signature = signature;
    this.#readFile = deps.readFile;
    this.#stat = deps.stat;
    this.#clock = deps.clock;
    this.#intervalMs = deps.checkIntervalMs;
    this.#logger = deps.logger;
    this.#lastCheck = deps.clock.now();
  }

  /**
   * Loads the file once; a broken file here is fatal.
   *
   * @param file - the `--web.config.file` value
   * @param options - injected dependencies and the check interval
   * @throws ConfigError - as {@link loadWebConfig}
   */
  static async open(file: string, options: WebConfigSourceOptions = {}): Promise<WebConfigSource> {
    const deps = {
      readFile: options.readFile ?? fsReadFile,
      stat: options.stat ?? fsStat,
      clock: options.clock ?? systemClock,
      checkIntervalMs: options.checkIntervalMs ?? 1000,
      logger: options.logger,
    };
    const before = await statAll(deps.stat, [path.resolve(file)]);
    const config = await loadWebConfig(file, deps.readFile);
    return new WebConfigSource(file, config, withUnknown(before, config.files), deps);
  }

  /** The config file path as given. */
  get path(): string {
    return this.#path;
  }

  /** The last good configuration. No I/O. */
  current(): WebConfig {
    return this.#current;
  }

  /**
   * Registers a listener for successful reloads. Listener exceptions are logged, not thrown.
   *
   * @param listener - receives the new and the previous configuration
   */
  onReload(listener: WebConfigListener): void {
    this.#listeners.push(listener);
  }

  /**
   * Checks the files if the check interval has passed (or joins a check in progress).
   *
   * @returns undefined when no check is due (callers can continue synchronously), else a
   *   promise that settles, never rejecting, once {@link current} reflects the files.
   */
  poll(): Promise<void> | undefined {
    if (this.#inFlight !== undefined) return this.#inFlight;
    const now = this.#clock.now();
    if (now - this.#lastCheck < this.#intervalMs) return undefined;
    this.#lastCheck = now;
    this.#inFlight = this.#check()
      .catch((err: unknown) => this.#warn(err instanceof Error ? err.message : String(err)))
      .finally(() => {
        this.#inFlight = undefined;
      });
    return this.#inFlight;
  }

  async #check(): Promise<void> {
    const paths = new Set<string>([...this.#current.files, ...this.#attemptedFiles]);
    const signature = await statAll(this.#stat, [...paths]);
    if (this.#healthy && sameSignature(signature, this.#signature)) return;

    let attempted: string[] = [];
    let next: WebConfig;
    try {
      next = await load(this.#path, this.#readFile, (files) => {
        attempted = files;
      });
      if ((next.tls === undefined) !== (this.#current.tls === undefined)) {
        throw new ConfigError(
          `--web.config.file ${this.#path}: tls_server_config: switching between HTTP and HTTPS needs a restart`,
        );
      }
    } catch (err) {
      this.#healthy = false;
      this.#attemptedFiles = attempted;
      this.#warn(err instanceof Error ? err.message : String(err));
      return;
    }

    const previous = this.#current;
    const previousSignature = this.#signature;
    this.#current = next;
    this.#signature = withUnknown(signature, next.files);
    this.#attemptedFiles = [];
    this.#healthy = true;
    this.#lastWarning = undefined;
    // The first reload after start-up only replaces "unknown" signatures; stay quiet.
    if (![...previousSignature.values()].includes('unknown')) {
      this.#logger?.info?.(
        {
          file: this.#path,
          certificateSerial: next.tls?.certificate.serialNumber,
          certificateNotAfter: next.tls?.certificate.validTo,
          users: next.users?.size ?? 0,
        },
        'web config reloaded',
      );
    }
    for (const listener of this.#listeners) {
      try {
        listener(next, previous);
      } catch (err) {
        this.#warn(`--web.config.file ${this.#path}: applying the reloaded configuration failed: ${String(err)}`);
      }
    }
  }

  #warn(message: string): void {
    if (message === this.#lastWarning) return;
    this.#lastWarning = message;
    this.#logger?.warn({ file: this.#path, err: message }, 'web config reload failed; keeping the last good configuration');
  }
}

async function statAll(stat: StatFn, paths: readonly string[]): Promise<Map<string, string>> {
  const entries = await Promise.all(
    paths.map(async (p): Promise<[string, string]> => {
      try {
        const s = await stat(p);
        return [p, `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`];
      } catch (err) {
        return [p, `error:${(err as NodeJS.ErrnoException | undefined)?.code ?? '?'}`];
      }
    }),
  );
  return new Map(entries);
}

/**
 * Files a load read without a stat taken beforehand get an "unknown" signature, so the next
 * due poll reloads once more instead of trusting a stat taken after the read.
 */
function withUnknown(signature: Map<string, string>, files: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of files) out.set(f, signature.get(f) ?? 'unknown');
  return out;
}

function sameSignature(now: Map<string, string>, then: Map<string, string>): boolean {
  for (const [p, sig] of then) if (now.get(p) !== sig) return false;
  return true;
}
