/**
 * The exporter's resolved configuration. Produced by `parseConfig()` from argv, the
 * environment and secret files; everything downstream takes this object, never argv.
 */

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
  /** `--web.listen-address`. @default `:10040` */
  readonly listen: ListenAddress;
  /** `--web.telemetry-path`. @default `/metrics` */
  readonly telemetryPath: string;
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
  /** `--vmc.org` / `VMC_ORG_IDS`; empty = discover with `GET /vmc/api/orgs`. */
  readonly orgs: readonly string[];
  /** `--vmc.concurrency`: orgs fetched in parallel. @default 4 */
  readonly concurrency: number;
  /** `--vmc.timeout` in seconds: upper bound for one upstream request. @default 30 */
  readonly requestTimeoutSeconds: number;
  /** `--auth.*`; undefined only in demo mode before the simulator provides credentials. */
  readonly auth: AuthConfig | undefined;
  /** `--cache.ttl` in seconds (0 = fetch on every scrape). @default 60 */
  readonly cacheTtlSeconds: number;
  /** `--cache.max-stale` in seconds (0 = never serve stale values). @default 300 */
  readonly maxStaleSeconds: number;
  /** `--log.level`. @default `info` */
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  /** `--demo`: run the built-in simulator on loopback and scrape it. @default false */
  readonly demo: boolean;
}
