/**
 * The I/O half of `tls_server_config`: reads the PEM certificate, key and client CA a
 * {@link TlsPlan} names (or takes them inline), checks that they parse, that the key is
 * unencrypted and matches the certificate, and that Node can build a secure context from
 * them, and returns the resulting {@link TlsServerConfig}.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import tls from 'node:tls';
import { describeReadError } from '../lib/regular-file.js';
import type { Problems } from './fields.js';
import type { PemSource, TlsPlan } from './tls-plan.js';
import type { ReadFileFn, TlsServerConfig, TlsVersionName } from './types.js';

const TLS_VERSIONS: Readonly<Record<TlsVersionName, tls.SecureVersion>> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
};

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

/**
 * Reads and checks the TLS material of a plan and builds the secure-context options.
 *
 * @param plan - the validated `tls_server_config`
 * @param readFile - file reader
 * @param p - error builder for the config file
 * @returns the TLS settings, with a closure for the secure-context options
 * @throws ConfigError - one line naming the field (and the file, never its contents)
 */
export async function buildTls(plan: TlsPlan, readFile: ReadFileFn, p: Problems): Promise<TlsServerConfig> {
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
