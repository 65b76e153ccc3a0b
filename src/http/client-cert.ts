import type net from 'node:net';
import tls from 'node:tls';
import type { TlsServerConfig } from '../web-config/index.js';

/**
 * Per-request client certificate policy, also covering keep-alive connections that were
 * set up under an older policy.
 *
 * @param socket - the request's socket
 * @param tlsConfig - the current TLS configuration
 * @returns why the request must be refused, or undefined
 */
export function clientCertRejection(socket: net.Socket, tlsConfig: TlsServerConfig | undefined): string | undefined {
  if (tlsConfig === undefined || !(socket instanceof tls.TLSSocket)) return undefined;
  const type = tlsConfig.clientAuthType;
  if (type === 'NoClientCert' || type === 'RequestClientCert') return undefined;
  const presented = socket.getPeerX509Certificate() !== undefined;
  if (!presented) {
    return type === 'VerifyClientCertIfGiven' ? undefined : 'a client certificate is required';
  }
  if (type === 'RequireAnyClientCert') return undefined;
  return socket.authorized ? undefined : 'client certificate not trusted';
}
