/**
 * The flag table: one entry per command-line flag, with its environment variable, default
 * and help text. The parser, `--help` and `docs/fragments/flags.md` are all derived from it.
 */

import type { Config } from './config.js';

/** Valid `--log.level` values, most verbose first. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** One `--log.level` value. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Names of every accepted flag, without the leading `--`. */
export type FlagName =
  | 'web.listen-address'
  | 'web.telemetry-path'
  | 'web.config.file'
  | 'web.max-requests'
  | 'web.timeout-offset'
  | 'csp.url'
  | 'vmc.url'
  | 'vmc.org'
  | 'vmc.concurrency'
  | 'vmc.timeout'
  | 'auth.client-id'
  | 'auth.client-secret-file'
  | 'auth.api-token-file'
  | 'cache.ttl'
  | 'cache.max-stale'
  | 'log.level'
  | 'demo'
  | 'help'
  | 'version';

/** Description of one flag. */
export interface FlagSpec {
  /** Name without the leading `--`, e.g. `web.listen-address`. */
  readonly name: FlagName;
  /** `string` flags take a value (`--name=value` or `--name value`); `boolean` flags do not. */
  readonly type: 'string' | 'boolean';
  /** Whether the flag may be given more than once (values accumulate). */
  readonly repeatable: boolean;
  /** Placeholder for the value in help text, e.g. `ADDR`; absent for boolean flags. */
  readonly placeholder?: string;
  /** Environment variable used when the flag is not given, if any. */
  readonly env?: string;
  /** How the environment variable differs from the flag, e.g. that it holds the secret itself. */
  readonly envNote?: string;
  /** Default as the user would write it (`:10040`, `5m`); absent when there is none. */
  readonly defaultText?: string;
  /** What happens when a flag without {@link FlagSpec.defaultText} is absent, for help and docs. */
  readonly defaultNote?: string;
  /** One-sentence meaning for help text and docs. */
  readonly description: string;
}

/** Every flag, in help order. `help` and `version` come last. */
export const FLAGS: readonly FlagSpec[] = Object.freeze([
  {
    name: 'web.listen-address',
    type: 'string',
    repeatable: false,
    placeholder: 'ADDR',
    defaultText: ':10040',
    description: 'Address to listen on: host:port, :port (all interfaces) or [ipv6]:port; port 0 picks a free port.',
  },
  {
    name: 'web.telemetry-path',
    type: 'string',
    repeatable: false,
    placeholder: 'PATH',
    defaultText: '/metrics',
    description: 'Path that serves metrics; must start with / and must not be / or under /-/.',
  },
  {
    name: 'web.config.file',
    type: 'string',
    repeatable: false,
    placeholder: 'FILE',
    defaultNote: 'none: plain HTTP, no auth',
    description: 'Exporter-toolkit web config file (TLS, basic auth); must be readable at startup.',
  },
  {
    name: 'web.max-requests',
    type: 'string',
    repeatable: false,
    placeholder: 'N',
    defaultText: '40',
    description: 'Maximum concurrent scrapes; more get 503. 0 means no limit.',
  },
  {
    name: 'web.timeout-offset',
    type: 'string',
    repeatable: false,
    placeholder: 'DURATION',
    defaultText: '0.5',
    description: "Subtracted from Prometheus's scrape timeout header to leave time for the response.",
  },
  {
    name: 'csp.url',
    type: 'string',
    repeatable: false,
    placeholder: 'URL',
    defaultText: 'https://console.cloud.vmware.com',
    description: 'Base URL of the VMware Cloud Services (CSP) token endpoint.',
  },
  {
    name: 'vmc.url',
    type: 'string',
    repeatable: false,
    placeholder: 'URL',
    defaultText: 'https://vmc.vmware.com',
    description: 'Base URL of the VMC API.',
  },
  {
    name: 'vmc.org',
    type: 'string',
    repeatable: true,
    placeholder: 'ID',
    env: 'VMC_ORG_IDS',
    envNote: 'comma-separated',
    defaultNote: 'every org the credentials can see',
    description: 'Org id to export; repeatable or comma-separated.',
  },
  {
    name: 'vmc.concurrency',
    type: 'string',
    repeatable: false,
    placeholder: 'N',
    defaultText: '4',
    description: 'Orgs fetched in parallel (at least 1).',
  },
  {
    name: 'vmc.timeout',
    type: 'string',
    repeatable: false,
    placeholder: 'DURATION',
    defaultText: '30',
    description: 'Time budget for one upstream call to CSP or VMC, retries included (greater than 0).',
  },
  {
    name: 'auth.client-id',
    type: 'string',
    repeatable: false,
    placeholder: 'ID',
    env: 'VMC_CLIENT_ID',
    description: 'OAuth app id; needs a client secret too.',
  },
  {
    name: 'auth.client-secret-file',
    type: 'string',
    repeatable: false,
    placeholder: 'FILE',
    env: 'VMC_CLIENT_SECRET',
    envNote: 'holds the secret itself',
    description: 'File holding the OAuth app secret; re-read each time it is used.',
  },
  {
    name: 'auth.api-token-file',
    type: 'string',
    repeatable: false,
    placeholder: 'FILE',
    env: 'VMC_API_TOKEN',
    envNote: 'holds the token itself',
    description: 'File holding a user API token, instead of an OAuth app; re-read each time it is used.',
  },
  {
    name: 'cache.ttl',
    type: 'string',
    repeatable: false,
    placeholder: 'DURATION',
    defaultText: '60',
    description: 'How long fetched data is reused; 0 fetches on every scrape.',
  },
  {
    name: 'cache.max-stale',
    type: 'string',
    repeatable: false,
    placeholder: 'DURATION',
    defaultText: '5m',
    description: 'While collection fails, how long after the last success the old values are still served; 0 never serves stale values.',
  },
  {
    name: 'log.level',
    type: 'string',
    repeatable: false,
    placeholder: 'LEVEL',
    defaultText: 'info',
    description: `Log level: ${LOG_LEVELS.join(', ')}.`,
  },
  {
    name: 'demo',
    type: 'boolean',
    repeatable: false,
    defaultNote: 'off',
    description: 'Start the built-in VMC simulator on loopback and scrape it; no credentials needed.',
  },
  {
    name: 'help',
    type: 'boolean',
    repeatable: false,
    description: 'Show this help and exit.',
  },
  {
    name: 'version',
    type: 'boolean',
    repeatable: false,
    description: 'Show the version and exit.',
  },
] satisfies FlagSpec[]);

/**
 * Flags that are refused on purpose because they would put a secret on the command line
 * (visible in `ps` and shell history), mapped to what to use instead.
 */
export const SECRET_FLAGS: Readonly<Record<string, string>> = Object.freeze({
  'auth.client-secret': '--auth.client-secret-file or VMC_CLIENT_SECRET',
  'auth.api-token': '--auth.api-token-file or VMC_API_TOKEN',
});

/**
 * The configuration used when no flag or environment variable says otherwise (deeply
 * frozen). `auth` has no default: it comes from credentials, or is `undefined` in demo mode.
 * Durations are in seconds, like in {@link Config}.
 */
export const DEFAULTS: Readonly<Omit<Config, 'auth'>> = Object.freeze({
  listen: Object.freeze({ host: undefined, port: 10_040 }),
  telemetryPath: '/metrics',
  webConfigFile: undefined,
  maxRequests: 40,
  timeoutOffsetSeconds: 0.5,
  cspUrl: 'https://console.cloud.vmware.com',
  vmcUrl: 'https://vmc.vmware.com',
  orgs: Object.freeze([]),
  concurrency: 4,
  requestTimeoutSeconds: 30,
  cacheTtlSeconds: 60,
  maxStaleSeconds: 300,
  logLevel: 'info',
  demo: false,
});
