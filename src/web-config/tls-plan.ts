/**
 * `tls_server_config` → {@link TlsPlan}: checks the section's fields (client auth type,
 * protocol versions, Go cipher suite and curve names, PEM sources) and maps them to their
 * OpenSSL equivalents, without reading any file. The files are read by `tls-files.ts`.
 */
import path from 'node:path';
import { checkKeys, optBool, optString, optStringList, type KeySet, type Problems } from './fields.js';
import type { ClientAuthType, TlsVersionName } from './types.js';

/** Go's names for the values of `client_auth_type` (plus the toolkit's legacy alias). */
const CLIENT_AUTH_TYPES: ReadonlyMap<string, ClientAuthType> = new Map<string, ClientAuthType>([
  ['NoClientCert', 'NoClientCert'],
  ['RequestClientCert', 'RequestClientCert'],
  ['RequireAnyClientCert', 'RequireAnyClientCert'],
  ['RequireClientCert', 'RequireAnyClientCert'],
  ['VerifyClientCertIfGiven', 'VerifyClientCertIfGiven'],
  ['RequireAndVerifyClientCert', 'RequireAndVerifyClientCert'],
]);

/** The protocol versions in ascending order. */
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

const TLS_KEYS: KeySet = {
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

/** Where one piece of PEM material comes from. */
export interface PemSource {
  /** Field name for messages (`tls_server_config.cert_file` or `tls_server_config.cert`). */
  readonly field: string;
  /** Absolute path, or undefined when inline. */
  readonly file: string | undefined;
  /** Inline PEM text. */
  readonly inline: string | undefined;
}

/** What the YAML says about TLS, before any file is read. */
export interface TlsPlan {
  /** The serving certificate (chain). */
  readonly cert: PemSource;
  /** Its private key. */
  readonly key: PemSource;
  /** Client CA certificates; undefined when not configured. */
  readonly ca: PemSource | undefined;
  /** `client_auth_type`, legacy alias resolved. */
  readonly clientAuthType: ClientAuthType;
  /** `min_version`. */
  readonly minVersion: TlsVersionName;
  /** `max_version`. */
  readonly maxVersion: TlsVersionName;
  /** `cipher_suites` as written (Go names). */
  readonly cipherSuites: readonly string[];
  /** The same as an OpenSSL cipher list; undefined for library defaults. */
  readonly ciphers: string | undefined;
  /** `curve_preferences` as written (Go names). */
  readonly curvePreferences: readonly string[];
  /** The same as an OpenSSL group list; undefined for library defaults. */
  readonly ecdhCurve: string | undefined;
  /** `prefer_server_cipher_suites`. */
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

/**
 * Validates a `tls_server_config` section and resolves file paths against `dir`.
 *
 * @param t - the section
 * @param dir - directory of the config file
 * @param p - error builder for the config file
 * @returns the plan, or undefined when the section configures nothing
 * @throws ConfigError - one line naming the field
 */
export function planTls(t: Record<string, unknown>, dir: string, p: Problems): TlsPlan | undefined {
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
