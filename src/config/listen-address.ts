/**
 * `--web.listen-address` parsing and formatting: `host:port`, `:port`, `[ipv6]:port`.
 * Pure, no I/O (the address is not resolved or bound here).
 */

import { isIPv6 } from 'node:net';

import { ConfigError } from '../lib/errors.js';
import type { ListenAddress } from './config.js';

/** Host names and IPv4 literals: letters, digits, dots, hyphens, underscores. */
const HOST = /^[A-Za-z0-9._-]+$/;

const PORT = /^\d{1,5}$/;

/**
 * Parses a listen address.
 *
 * @param text - `host:port`, `:port` (all interfaces) or `[ipv6]:port`; port 0-65535
 * @param flag - the flag name to put in error messages
 * @returns the host (`undefined` for `:port`; brackets removed for IPv6) and port
 * @throws ConfigError naming `flag` when the address is malformed
 */
export function parseListenAddress(text: string, flag = '--web.listen-address'): ListenAddress {
  const colon = text.lastIndexOf(':');
  if (colon < 0) throw malformed(text, flag);
  const hostPart = text.slice(0, colon);
  const portPart = text.slice(colon + 1);

  let host: string | undefined;
  if (hostPart === '') {
    host = undefined;
  } else if (hostPart.startsWith('[') && hostPart.endsWith(']')) {
    host = hostPart.slice(1, -1);
    if (!isIPv6(host)) throw new ConfigError(`${flag}: "${hostPart}" is not an IPv6 address`);
  } else if (hostPart.includes(':')) {
    throw new ConfigError(`${flag}: put an IPv6 host in brackets, like [::1]:10040, got "${text}"`);
  } else if (HOST.test(hostPart)) {
    host = hostPart;
  } else {
    throw malformed(text, flag);
  }

  if (!PORT.test(portPart) || Number(portPart) > 65_535) {
    throw new ConfigError(`${flag}: port must be 0-65535, got "${text}"`);
  }
  return { host, port: Number(portPart) };
}

/**
 * Formats a listen address back into flag syntax, e.g. for log lines.
 *
 * @param address - a parsed address
 * @returns `:10040`, `localhost:10040` or `[::1]:10040`
 */
export function formatListenAddress(address: ListenAddress): string {
  const { host, port } = address;
  if (host === undefined) return `:${port}`;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function malformed(text: string, flag: string): ConfigError {
  return new ConfigError(`${flag}: "${text}" is not host:port, :port or [ipv6]:port`);
}
