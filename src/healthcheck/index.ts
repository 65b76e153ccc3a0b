/**
 * `vmc-exporter healthcheck`: asks a running exporter's `/-/healthy` and exits 0 when every
 * listener answers 200, 1 otherwise (never 2, which Docker reserves), with one line saying
 * why. For the image's HEALTHCHECK and Kubernetes exec probes.
 *
 * Where to ask: without flags, the addresses the running exporter recorded in its runtime
 * file (`runtime-file.ts`), with the client certificate it was given through
 * `--healthcheck.cert-file` / `--healthcheck.key-file`; with flags, the exporter's own
 * flags describe it: each `--web.listen-address` (`:port` and `0.0.0.0`/`::` mean loopback),
 * HTTPS when `--web.config.file` has `tls_server_config`, the `--healthcheck.*` certificate.
 *
 * The server certificate is not verified: the check talks to its own container over
 * loopback, where the certificate's name (the exporter's public host name) never matches.
 * `/-/healthy` needs no basic auth; with client certificates required, the TLS layer still
 * wants one, hence `--healthcheck.*`.
 */
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { ConfigWithoutAuth, ListenAddress } from '../config/config.js';
import { ConfigError } from '../lib/errors.js';
import { loadWebConfig } from '../web-config/index.js';
import { readRuntimeFile, runtimeFilePath } from './runtime-file.js';

/** What to ask. */
export interface HealthcheckTarget {
  /** Base URLs, e.g. `https://127.0.0.1:10040`. */
  readonly urls: readonly string[];
  /** Client certificate and key files to present. */
  readonly clientCert?: { readonly certFile: string; readonly keyFile: string };
}

/** Outcome of one healthcheck. */
export type HealthcheckResult = { readonly ok: true; readonly line: string } | { readonly ok: false; readonly line: string };

/** Time for one answer, ms: within Docker's default 5 s HEALTHCHECK timeout. */
export const HEALTHCHECK_TIMEOUT_MS = 4_000;

const HINT_CERT = 'the exporter requires a client certificate: give it --healthcheck.cert-file and --healthcheck.key-file';

/** The URL host for a listen address: loopback for all interfaces. */
function checkHost(address: ListenAddress): string {
  const host = address.host;
  if (host === undefined || host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Works out what to ask.
 *
 * @param config - the parsed flags (no credentials)
 * @param flagsGiven - false for a bare `vmc-exporter healthcheck`: read the runtime file
 * @throws Error with one line when there is nothing to ask (no runtime file, port 0, a broken web config)
 */
export async function healthcheckTarget(config: ConfigWithoutAuth, flagsGiven: boolean): Promise<HealthcheckTarget> {
  if (!flagsGiven) {
    const record = await readRuntimeFile(runtimeFilePath()).catch((err: Error) => {
      throw new Error(`${err.message}; start the exporter first, or pass its flags (vmc-exporter healthcheck --web.listen-address=…)`);
    });
    return { urls: record.urls, ...(record.clientCert ? { clientCert: record.clientCert } : {}) };
  }
  const zero = config.listen.find((a) => a.port === 0);
  if (zero !== undefined) throw new ConfigError('--web.listen-address: port 0 has no fixed port to check; give the port the exporter listens on');
  const tls = config.webConfigFile === undefined ? false : (await loadWebConfig(config.webConfigFile)).tls !== undefined;
  const scheme = tls ? 'https' : 'http';
  const { certFile, keyFile } = config.healthcheck;
  return {
    urls: config.listen.map((a) => `${scheme}://${checkHost(a)}:${a.port}`),
    ...(certFile !== undefined && keyFile !== undefined ? { clientCert: { certFile, keyFile } } : {}),
  };
}

/** GETs `<base>/-/healthy`; resolves with the status, or rejects with the transport error. */
async function getHealthy(base: string, clientCert: { cert: Buffer; key: Buffer } | undefined, timeoutMs: number): Promise<{ status: number; body: string }> {
  const url = new URL('/-/healthy', base);
  return new Promise((resolve, reject) => {
    const options: https.RequestOptions = {
      agent: false,
      timeout: timeoutMs,
      headers: { accept: 'text/plain' },
      ...(url.protocol === 'https:' ? { rejectUnauthorized: false, ...(clientCert ?? {}) } : {}),
    };
    const onResponse = (res: http.IncomingMessage): void => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (body.length < 1024) body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    };
    const req = url.protocol === 'https:' ? https.get(url, options, onResponse) : http.get(url, options, onResponse);
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs / 1000}s`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
  });
}

/** One short reason for a transport error, with a hint where the cause is clear. */
function describeFailure(err: unknown, withCert: boolean): string {
  const e = err as NodeJS.ErrnoException;
  const code = e.code ?? '';
  if (code === 'ECONNREFUSED') return 'connection refused (is the exporter running, and listening there?)';
  if (code === 'ETIMEDOUT') return e.message;
  if (/CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE|ECONNRESET|EPIPE/.test(code) && !withCert) return `${code}: ${HINT_CERT}`;
  if (/ALERT_UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN/.test(code)) return `${code}: the exporter does not accept the --healthcheck.cert-file certificate (is it signed by client_ca?)`;
  if (code === 'EPROTO' || /WRONG_VERSION_NUMBER/.test(e.message ?? '')) return 'TLS error: does the exporter serve plain HTTP (or HTTPS) there?';
  return code ? `${code}: ${e.message}` : (e.message ?? String(err));
}

/**
 * Asks every URL of `target`, in order, and stops at the first failure.
 *
 * @param target - where to ask and with which client certificate
 * @param timeoutMs - time for each answer
 * @returns ok with `healthy: <urls>`, or the failure as one line naming the URL
 */
export async function runHealthcheck(target: HealthcheckTarget, timeoutMs = HEALTHCHECK_TIMEOUT_MS): Promise<HealthcheckResult> {
  let cert: { cert: Buffer; key: Buffer } | undefined;
  if (target.clientCert) {
    try {
      cert = { cert: await readFile(target.clientCert.certFile), key: await readFile(target.clientCert.keyFile) };
    } catch (err) {
      return { ok: false, line: `cannot read the healthcheck client certificate: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
    }
  }
  const checked: string[] = [];
  for (const base of target.urls) {
    const where = new URL('/-/healthy', base).href;
    try {
      const { status, body } = await getHealthy(base, cert, timeoutMs);
      if (status !== 200) {
        const detail = body.trim().split('\n')[0]?.slice(0, 200) ?? '';
        const hint = status === 403 && /certificate/i.test(detail) && cert === undefined ? `; ${HINT_CERT}` : '';
        return { ok: false, line: `${where}: HTTP ${status}${detail ? ` (${detail})` : ''}${hint}` };
      }
      checked.push(where);
    } catch (err) {
      return { ok: false, line: `${where}: ${describeFailure(err, cert !== undefined)}` };
    }
  }
  return { ok: true, line: `healthy: ${checked.join(', ')}` };
}
