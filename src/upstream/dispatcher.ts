import { Agent, EnvHttpProxyAgent, type Dispatcher } from 'undici';
import { ConfigError } from '../lib/errors.js';

/** The proxy variables undici's EnvHttpProxyAgent reads. */
export const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'] as const;

const AGENT_OPTIONS = { connect: { timeout: 10_000 }, keepAliveTimeout: 30_000 } as const;

/**
 * Checks the proxy variables: each set one must be an absolute `http://` or `https://` URL
 * with a host. The message names the variable but never echoes the value (it may carry a
 * proxy password).
 */
export function checkProxyEnv(env: Record<string, string | undefined>): void {
  for (const name of PROXY_VARIABLES) {
    const value = env[name]?.trim();
    if (!value) continue;
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
      throw new ConfigError(`${name}: not a proxy URL (expected http://host:port or https://host:port)`);
    }
  }
}

/**
 * The dispatcher for upstream calls: honours `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` (and
 * the lower-case forms) through undici's EnvHttpProxyAgent; a custom CA bundle comes from
 * `NODE_EXTRA_CA_CERTS`. TLS verification is never turned off.
 *
 * @param env - the environment (validated first)
 * @param direct - skip proxies (the built-in simulator on loopback)
 */
export function createDispatcher(env: Record<string, string | undefined>, direct = false): Dispatcher {
  if (direct) return new Agent(AGENT_OPTIONS);
  checkProxyEnv(env);
  return new EnvHttpProxyAgent(AGENT_OPTIONS);
}
