/**
 * The flag table: one entry per command-line flag with its environment variable, type,
 * default, validator, help text and the `Config` field it fills. yargs is built from
 * it, `--help` and the docs' flag table are rendered from it, and the parser fills the
 * configuration from it. Collectors contribute their own entries (see
 * {@link collectorFlags}).
 */

import { LOG_LEVELS } from '../lib/logger.js';
import { parseListenAddress } from './listen-address.js';
import {
  baseUrlValue,
  durationValue,
  integerValue,
  logFormatValue,
  logLevelValue,
  nonEmptyValue,
  orgIdsValue,
  telemetryPathValue,
} from './values.js';

/** How a flag takes its value. */
export type FlagKind =
  /** `--name=value` or `--name value`, at most once. */
  | 'string'
  /** `--name`, `--name=true|false`, `--no-name`. */
  | 'boolean'
  /** `--name=value`, repeatable; the values accumulate. */
  | 'list';

/** An environment variable that stands in for a flag. */
export interface EnvBinding {
  /** Variable name, e.g. `VMC_ORG_IDS`. */
  readonly name: string;
  /** How the variable differs from the flag, for help and docs (e.g. `comma-separated`). */
  readonly note?: string;
}

/** Description of one flag. */
export interface FlagSpec {
  /** Name without the leading `--`, e.g. `web.listen-address`. */
  readonly name: string;
  /** One-letter alias without the leading `-`, e.g. `h` for `help`. */
  readonly short?: string;
  /** How it takes its value. */
  readonly kind: FlagKind;
  /** Placeholder for the value in help text, e.g. `ADDR`; absent for boolean flags. */
  readonly placeholder?: string;
  /** Environment variable used when the flag is not given. */
  readonly env?: EnvBinding;
  /**
   * The default as a user would write it (`:10040`, `5m`, `true`): parsed by {@link parse}
   * like a given value, so help text and configuration come from this one value.
   */
  readonly default?: string;
  /** What happens when a flag without {@link default} is absent, for help and docs. */
  readonly defaultNote?: string;
  /** One-sentence meaning for help text and docs. */
  readonly help: string;
  /**
   * Checks one value and turns it into what the configuration holds; throws a one-line
   * ConfigError naming `flag`. Absent for boolean flags (yargs reads them).
   */
  readonly parse?: (text: string, flag: string) => unknown;
  /**
   * Dotted path of the `Config` field the value fills, e.g. `maxStaleSeconds` or
   * `collectors.sddcs.ttlSeconds`. List flags fill it with an array. Absent for the flags
   * the parser handles as a group (credentials) and for `help` / `version`.
   */
  readonly field?: string;
}

/** What a collector tells the flag table about itself (see the collector contract in `src/collect/`). */
export interface CollectorFlags {
  /** Collector name, e.g. `sddcs`; flags are `--collector.NAME` and `--collector.NAME.ttl`. */
  readonly name: string;
  /** What it collects, one sentence (the help text of `--collector.NAME`). */
  readonly help: string;
  /** Enabled unless `--no-collector.NAME`. */
  readonly defaultEnabled: boolean;
  /** Default cache TTL as written (`60`, `15m`). */
  readonly defaultTtl: string;
  /** The TTL flag's name when it is not `collector.NAME.ttl` (the SDDC collector's is `cache.ttl`). */
  readonly ttlFlag?: string;
  /** Further flags of the collector; their `field` is relative to `collectors.NAME.options`. */
  readonly flags?: readonly FlagSpec[];
}

/**
 * The exporter's own flags, in help order. The collectors' flags follow them and
 * `help` / `version` come last (see {@link flagTable}).
 */
export const BASE_FLAGS: readonly FlagSpec[] = [
  {
    name: 'web.listen-address',
    kind: 'list',
    placeholder: 'ADDR',
    default: ':10040',
    help: 'Address to listen on: host:port, :port (all interfaces) or [ipv6]:port; port 0 picks a free port. Repeatable: listens on each.',
    parse: parseListenAddress,
    field: 'listen',
  },
  {
    name: 'web.telemetry-path',
    kind: 'string',
    placeholder: 'PATH',
    default: '/metrics',
    help: 'Path that serves metrics; must start with / and must not be / or under /-/.',
    parse: telemetryPathValue,
    field: 'telemetryPath',
  },
  {
    name: 'web.probe-path',
    kind: 'string',
    placeholder: 'PATH',
    default: '/probe',
    help: 'Path that serves one org per request (?target=<org id>, optionally &collector=NAME, repeatable); must differ from the telemetry path.',
    parse: telemetryPathValue,
    field: 'probePath',
  },
  {
    name: 'web.config.file',
    kind: 'string',
    placeholder: 'FILE',
    defaultNote: 'none: plain HTTP, no auth',
    help: 'Exporter-toolkit web config file (TLS, basic auth); must be readable at startup.',
    parse: nonEmptyValue,
    field: 'webConfigFile',
  },
  {
    name: 'web.max-requests',
    kind: 'string',
    placeholder: 'N',
    default: '40',
    help: 'Maximum concurrent scrapes and probes; more get 503. 0 means no limit.',
    parse: (t, f) => integerValue(t, f, 0),
    field: 'maxRequests',
  },
  {
    name: 'web.timeout-offset',
    kind: 'string',
    placeholder: 'DURATION',
    default: '0.5',
    help: "Subtracted from Prometheus's scrape timeout header to leave time for the response.",
    parse: (t, f) => durationValue(t, f),
    field: 'timeoutOffsetSeconds',
  },
  {
    name: 'csp.url',
    kind: 'string',
    placeholder: 'URL',
    default: 'https://console.cloud.vmware.com',
    help: 'Base URL of the VMware Cloud Services (CSP) token endpoint.',
    parse: baseUrlValue,
    field: 'cspUrl',
  },
  {
    name: 'vmc.url',
    kind: 'string',
    placeholder: 'URL',
    default: 'https://vmc.vmware.com',
    help: 'Base URL of the VMC API.',
    parse: baseUrlValue,
    field: 'vmcUrl',
  },
  {
    name: 'vmc.org',
    kind: 'list',
    placeholder: 'ID',
    env: { name: 'VMC_ORG_IDS', note: 'comma-separated' },
    defaultNote: 'every org the credentials can see',
    help: 'Org id to export; repeatable or comma-separated.',
    parse: orgIdsValue,
    field: 'orgs',
  },
  {
    name: 'vmc.discover',
    kind: 'boolean',
    default: 'true',
    help: 'Without --vmc.org, list the orgs the credentials can see and serve them on the telemetry path; with --no-vmc.discover it serves only the exporter\'s own metrics (orgs come through the probe path).',
    field: 'discover',
  },
  {
    name: 'vmc.concurrency',
    kind: 'string',
    placeholder: 'N',
    default: '4',
    help: 'VMC requests in flight at once, over all orgs and collectors (at least 1).',
    parse: (t, f) => integerValue(t, f, 1),
    field: 'concurrency',
  },
  {
    name: 'vmc.timeout',
    kind: 'string',
    placeholder: 'DURATION',
    default: '30',
    help: 'Time budget for one upstream call to CSP or VMC, retries included (greater than 0).',
    parse: (t, f) => durationValue(t, f, 'positive'),
    field: 'requestTimeoutSeconds',
  },
  {
    name: 'auth.client-id',
    kind: 'string',
    placeholder: 'ID',
    env: { name: 'VMC_CLIENT_ID' },
    help: 'OAuth app id; needs a client secret too.',
  },
  {
    name: 'auth.client-secret-file',
    kind: 'string',
    placeholder: 'FILE',
    env: { name: 'VMC_CLIENT_SECRET', note: 'holds the secret itself' },
    help: 'File holding the OAuth app secret; re-read each time it is used.',
  },
  {
    name: 'auth.api-token-file',
    kind: 'string',
    placeholder: 'FILE',
    env: { name: 'VMC_API_TOKEN', note: 'holds the token itself' },
    help: 'File holding a user API token, instead of an OAuth app; re-read each time it is used.',
  },
  {
    name: 'cache.max-stale',
    kind: 'string',
    placeholder: 'DURATION',
    default: '5m',
    help: "While a collector fails, how long after its data fell due (last success + its TTL) the old values are still served; 0 never serves stale values.",
    parse: (t, f) => durationValue(t, f),
    field: 'maxStaleSeconds',
  },
  {
    name: 'probe.idle',
    kind: 'string',
    placeholder: 'DURATION',
    default: '1h',
    help: 'An org named only by probes is forgotten (caches, token, its series) once it has not been probed for this long (greater than 0).',
    parse: (t, f) => durationValue(t, f, 'positive'),
    field: 'probeIdleSeconds',
  },
  {
    name: 'probe.max-orgs',
    kind: 'string',
    placeholder: 'N',
    default: '1000',
    help: 'Most orgs named only by probes that are kept at once; a probe of a further org gets 429. 0 allows probes of the telemetry path\'s orgs only.',
    parse: (t, f) => integerValue(t, f, 0),
    field: 'probeMaxOrgs',
  },
  {
    name: 'log.level',
    kind: 'string',
    placeholder: 'LEVEL',
    default: 'info',
    help: `Log level: ${LOG_LEVELS.join(', ')}.`,
    parse: logLevelValue,
    field: 'logLevel',
  },
  {
    name: 'log.format',
    kind: 'string',
    placeholder: 'FORMAT',
    default: 'json',
    help: 'Log line format: json or logfmt.',
    parse: logFormatValue,
    field: 'logFormat',
  },
  {
    name: 'healthcheck.cert-file',
    kind: 'string',
    placeholder: 'FILE',
    defaultNote: 'none',
    help: 'Client certificate (PEM) that `vmc-exporter healthcheck` presents when the web config requires client certificates; needs --healthcheck.key-file.',
    parse: nonEmptyValue,
    field: 'healthcheck.certFile',
  },
  {
    name: 'healthcheck.key-file',
    kind: 'string',
    placeholder: 'FILE',
    defaultNote: 'none',
    help: 'Private key (PEM) of --healthcheck.cert-file.',
    parse: nonEmptyValue,
    field: 'healthcheck.keyFile',
  },
  {
    name: 'demo',
    kind: 'boolean',
    default: 'false',
    help: 'Start the built-in VMC simulator on loopback and scrape it; no credentials needed.',
    field: 'demo',
  },
];

/** `--help` and `--version`, always last. */
export const INFO_FLAGS: readonly FlagSpec[] = [
  { name: 'help', short: 'h', kind: 'boolean', help: 'Show this help and exit.' },
  { name: 'version', kind: 'boolean', help: 'Show the version, revision and build information and exit.' },
];

/**
 * Flags refused on purpose because they would put a secret on the command line (visible in
 * `ps` and shell history), mapped to what to use instead.
 */
export const SECRET_FLAGS: Readonly<Record<string, string>> = {
  'auth.client-secret': '--auth.client-secret-file or VMC_CLIENT_SECRET',
  'auth.api-token': '--auth.api-token-file or VMC_API_TOKEN',
};

/**
 * The flags of one collector: `--collector.NAME` (on/off), its TTL flag and its own flags,
 * with fields under `collectors.NAME`.
 */
export function collectorFlags(c: CollectorFlags): FlagSpec[] {
  const base = `collectors.${c.name}`;
  return [
    {
      name: `collector.${c.name}`,
      kind: 'boolean',
      default: String(c.defaultEnabled),
      help: `${c.help} Turn off with --no-collector.${c.name}.`,
      field: `${base}.enabled`,
    },
    {
      name: c.ttlFlag ?? `collector.${c.name}.ttl`,
      kind: 'string',
      placeholder: 'DURATION',
      default: c.defaultTtl,
      help: `How long the ${c.name} collector's data is reused; 0 fetches on every scrape.`,
      parse: (t, f) => durationValue(t, f),
      field: `${base}.ttlSeconds`,
    },
    ...(c.flags ?? []).map((f) => ({ ...f, field: f.field === undefined ? undefined : `${base}.options.${f.field}` })),
  ];
}

/**
 * The whole table for a set of collectors: the exporter's flags, then each collector's,
 * then `help` and `version`.
 */
export function flagTable(collectors: readonly CollectorFlags[]): readonly FlagSpec[] {
  return [...BASE_FLAGS, ...collectors.flatMap(collectorFlags), ...INFO_FLAGS];
}
