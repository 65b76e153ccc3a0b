/**
 * The exporter's resolved configuration. Produced by `parseCommandLine()` from argv, the
 * environment and secret files; everything downstream takes this object, never argv.
 * Defaults live in the flag table (`flag-table.ts`), nowhere else.
 */

import type { LogFormat, LogLevel } from '../lib/logger.js';

/** How the exporter authenticates to CSP. */
export type AuthConfig =
  | {
      /** OAuth app ("server to server"): client_credentials grant. */
      readonly kind: 'oauth';
      /** OAuth app id (`--auth.client-id` / `VMC_CLIENT_ID`). */
      readonly clientId: string;
      /** Reads the app secret (from `--auth.client-secret-file`, re-read on each call, or `VMC_CLIENT_SECRET`). */
      readonly readSecret: () => Promise<string>;
      /** Where the secret comes from, for messages: a file path or an env variable name. */
      readonly secretSource: string;
    }
  | {
      /** A user API token exchanged at `/auth/api-tokens/authorize`. */
      readonly kind: 'api-token';
      /** Reads the API token (file re-read on each call, or `VMC_API_TOKEN`). */
      readonly readSecret: () => Promise<string>;
      /** Where the token comes from, for messages. */
      readonly secretSource: string;
    };

/** Resolved listen address. */
export interface ListenAddress {
  /** Host to bind; `undefined` means all interfaces (`:port`). */
  readonly host: string | undefined;
  /** TCP port (0 = any free port). */
  readonly port: number;
}

/** The whole configuration. */
export interface Config {
  /** `--web.listen-address`, repeatable: the exporter listens on each, in order. @default `[:10040]` */
  readonly listen: readonly ListenAddress[];
  /** `--web.telemetry-path`. @default `/metrics` */
  readonly telemetryPath: string;
  /** `--web.probe-path`: serves one org per request (`?target=`). @default `/probe` */
  readonly probePath: string;
  /** `--web.config.file`: exporter-toolkit web config (TLS, basic auth); undefined = plain HTTP. */
  readonly webConfigFile: string | undefined;
  /** `--web.max-requests`: concurrent scrapes beyond this get 503 (0 = no limit). @default 40 */
  readonly maxRequests: number;
  /** `--web.timeout-offset` in seconds, subtracted from the scrape timeout header. @default 0.5 */
  readonly timeoutOffsetSeconds: number;
  /** `--csp.url` without trailing slash. @default `https://console.cloud.vmware.com` */
  readonly cspUrl: string;
  /** `--vmc.url` without trailing slash. @default `https://vmc.vmware.com` */
  readonly vmcUrl: string;
  /** `--vmc.org` / `VMC_ORG_IDS`; empty = discover with `GET /vmc/api/orgs` (unless `discover` is false). */
  readonly orgs: readonly string[];
  /**
   * `--vmc.discover`: without `--vmc.org`, discover the orgs for the telemetry path; false
   * serves only the exporter's own metrics there (orgs come through probes). @default true
   */
  readonly discover: boolean;
  /** `--vmc.concurrency`: VMC requests in flight at once. @default 4 */
  readonly concurrency: number;
  /** `--vmc.timeout` in seconds: upper bound for one upstream request. @default 30 */
  readonly requestTimeoutSeconds: number;
  /** `--auth.*` / `VMC_*`: the credentials. */
  readonly auth: AuthConfig;
  /**
   * `--cache.max-stale` in seconds: while a collector fails, its last good data is served
   * until this long after it fell due (last success + the collector's TTL). @default 300
   */
  readonly maxStaleSeconds: number;
  /** `--probe.idle` in seconds: an org named only by probes is forgotten after this long without a probe. @default 3600 */
  readonly probeIdleSeconds: number;
  /** `--probe.max-orgs`: most orgs named only by probes at once; 0 = probes of listed orgs only. @default 1000 */
  readonly probeMaxOrgs: number;
  /** `--log.level`. @default `info` */
  readonly logLevel: LogLevel;
  /** `--log.format`. @default `json` */
  readonly logFormat: LogFormat;
  /** `--healthcheck.*`: what `vmc-exporter healthcheck` presents to the exporter. */
  readonly healthcheck: HealthcheckSettings;
  /** `--demo`: the exporter scrapes the built-in simulator. @default false */
  readonly demo: boolean;
  /** Per collector (by name): `--collector.NAME`, its TTL flag and its own flags. */
  readonly collectors: Readonly<Record<string, CollectorSettings>>;
}

/**
 * The client certificate of `vmc-exporter healthcheck`, for a web config that requires
 * client certificates. The exporter only checks that the files are readable and records
 * them for the healthcheck (see `src/http/runtime-file.ts`).
 */
export interface HealthcheckSettings {
  /** `--healthcheck.cert-file`: PEM client certificate. */
  readonly certFile: string | undefined;
  /** `--healthcheck.key-file`: PEM private key of the certificate. */
  readonly keyFile: string | undefined;
}

/** The settings of one collector. */
export interface CollectorSettings {
  /** `--collector.NAME` / `--no-collector.NAME`. */
  readonly enabled: boolean;
  /** `--collector.NAME.ttl` (for `sddcs`: `--cache.ttl`) in seconds; 0 = fetch on every scrape. */
  readonly ttlSeconds: number;
  /** Values of the collector's own flags, by the field names its flag specs give. */
  readonly options: Readonly<Record<string, unknown>>;
}

/** Everything but the credentials: what `--demo` completes with the simulator's. */
export type ConfigWithoutAuth = Omit<Config, 'auth'>;
