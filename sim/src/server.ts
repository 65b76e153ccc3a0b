/**
 * The simulator: one loopback HTTP server answering like CSP (token endpoints) and VMC
 * (orgs and SDDC lists) over an {@link Estate}, with org-scoped expiring tokens, fault
 * injection, request counters and an HTTP control API under `/_sim/`.
 *
 * Used by the exporter's `--demo` mode, end-to-end tests, the benchmark and the Prometheus
 * integration test. See docs/fragments/simulator.md.
 *
 * This module wires the parts together and owns the server's lifecycle: `csp-routes.ts`
 * (token endpoints and token bookkeeping), `vmc-routes.ts` (VMC endpoints and access
 * checks), `control-api.ts` (`/_sim/`), `request-handler.ts` (routing, counting, faults,
 * delivery) with `route.ts` and `request-body.ts`.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type Clock, systemClock } from './clock.js';
import { controlAnswer } from './control-api.js';
import { cspRoute, DEFAULT_APP_ROLES, type SimulatorCredentials, TokenStore } from './csp-routes.js';
import { demoEstate } from './demo-estate.js';
import type { Estate, JsonObject } from './estate.js';
import { type Fault, FaultRegistry, parseFault } from './faults.js';
import { randomHex } from './random.js';
import { HangGate, requestListener } from './request-handler.js';
import { operationsRoute } from './operations-routes.js';
import { SimulatorStats } from './stats.js';
import { type ApiTokenDetailsOptions, tokenDetailsRoute } from './token-details.js';
import { DEFAULT_ENDPOINT_ROLES, type VmcEndpoint, vmcRoute } from './vmc-routes.js';

export { API_TOKEN_PATH, DEFAULT_APP_ROLES, SIM_ROLES, type SimulatorCredentials, TOKEN_PATH } from './csp-routes.js';
export { DEFAULT_ENDPOINT_ROLES, type VmcEndpoint } from './vmc-routes.js';
export { type Fault, type FaultEndpoint, type FaultKind, FAULT_ENDPOINTS, FAULT_KINDS } from './faults.js';
export { SimulatorStats, type SimulatorStatsSnapshot } from './stats.js';
export { API_TOKEN_DETAILS_PATH, type ApiTokenDetailsOptions } from './token-details.js';

/** Options of {@link startSimulator}; all optional. */
export interface SimulatorOptions {
  /** Address to bind. @default '127.0.0.1' */
  readonly host?: string;
  /** Port to bind (0 = any free port). @default 0 */
  readonly port?: number;
  /** Time source for token expiry, movement and mutation stamps. @default systemClock */
  readonly clock?: Clock;
  /** The world to serve. @default demoEstate(clock) */
  readonly estate?: Estate;
  /** OAuth app id. @default random `sim-app-…` */
  readonly clientId?: string;
  /** OAuth app secret. @default random */
  readonly clientSecret?: string;
  /** User API token accepted by the API-token exchange. @default random */
  readonly apiToken?: string;
  /** What the API-token details endpoint reports. @default expiry 10 days after start, in seconds */
  readonly apiTokenDetails?: ApiTokenDetailsOptions;
  /** Org ids the OAuth app has been added to; the first is its home org. @default every org of the estate */
  readonly appOrgIds?: readonly string[];
  /**
   * The roles of the OAuth app (and of the API token's user) in every org, as the `perms`
   * of its tokens. @default Organization Member and VMC Administrator ({@link DEFAULT_APP_ROLES})
   */
  readonly appRoles?: readonly string[];
  /** Roles per org id, where they differ from {@link appRoles}. */
  readonly appRolesByOrg?: Readonly<Record<string, readonly string[]>>;
  /**
   * The roles, any one of which lets a token call each VMC endpoint; endpoints not named
   * keep their default. @default a VMC service role for every endpoint ({@link DEFAULT_ENDPOINT_ROLES})
   */
  readonly endpointRoles?: Partial<Readonly<Record<VmcEndpoint, readonly string[]>>>;
  /** `expires_in` of issued access tokens, in seconds. @default 1799 */
  readonly tokenTtlSeconds?: number;
  /** Fixed delay added to every VMC answer, in real milliseconds. @default 0 */
  readonly latencyMs?: number;
  /** Apply the estate's time-driven movement (demo estate) at the clock's time. @default false */
  readonly movement?: boolean;
  /** Largest accepted request body (token forms, control API JSON), in bytes. @default 65536 */
  readonly maxBodyBytes?: number;
  /** Serve the `/_sim/` control API. @default true */
  readonly controlApi?: boolean;
}

/** A running simulator. */
export interface Simulator {
  /** Base URL serving both CSP and VMC paths, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** The accepted credentials. */
  readonly credentials: SimulatorCredentials;
  /** Org ids of the estate, home org first. */
  readonly orgIds: readonly string[];
  /** The estate being served (mutations through it are visible at once). */
  readonly estate: Estate;
  /** Request counters. */
  readonly stats: SimulatorStats;
  /** The clock it runs on. */
  readonly clock: Clock;
  /** Adds a fault (validated; throws `FaultValidationError`). The first matching fault wins. */
  addFault(fault: Fault): void;
  /** Removes every fault and releases requests held by `hang`. */
  clearFaults(): void;
  /** Active faults in match order, with `remaining` counts for those with `times`. */
  faults(): ReadonlyArray<Fault & { readonly remaining?: number }>;
  /** Revokes every access token issued so far (VMC then answers 401 for them). */
  revokeTokens(): void;
  /** {@link Estate.setSddcState}. */
  setSddcState(orgId: string, sddcId: string, state: string): void;
  /** {@link Estate.setHostState}. */
  setHostState(orgId: string, sddcId: string, esxId: string, state: string): void;
  /** {@link Estate.removeSddc}. */
  removeSddc(orgId: string, sddcId: string): void;
  /** {@link Estate.addSddc}. */
  addSddc(orgId: string, sddcJson: JsonObject): void;
  /** Changes what the API-token details endpoint reports. */
  setApiTokenDetails(details: ApiTokenDetailsOptions): void;
  /**
   * Every secret the simulator knows: client secret, API token, every access token issued,
   * and every password value in the estate.
   */
  secrets(): string[];
  /** Stops the server, destroying open connections (hung and trickling ones included). */
  close(): Promise<void>;
}

/** Starts a simulator and resolves once it listens. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const clock = options.clock ?? systemClock;
  const estate = options.estate ?? demoEstate(clock);
  const credentials: SimulatorCredentials = {
    clientId: options.clientId ?? `sim-app-${randomHex(6)}`,
    clientSecret: options.clientSecret ?? `simsecret-${randomBytes(24).toString('base64url')}`,
    apiToken: options.apiToken ?? `simapitoken-${randomBytes(32).toString('base64url')}`,
  };
  const maxBodyBytes = options.maxBodyBytes ?? 65_536;
  const stats = new SimulatorStats();
  const faults = new FaultRegistry();
  const tokens = new TokenStore(clock, options.tokenTtlSeconds ?? 1799, stats);
  const hangs = new HangGate();
  const sockets = new Set<Socket>();

  const cspDeps = {
    credentials,
    tokens,
    appOrgIds: (): readonly string[] => options.appOrgIds ?? estate.orgIds(),
    appRoles: (orgId: string): readonly string[] => options.appRolesByOrg?.[orgId] ?? options.appRoles ?? DEFAULT_APP_ROLES,
  };
  const vmcDeps = { estate, tokens, clock, movement: options.movement ?? false, endpointRoles: { ...DEFAULT_ENDPOINT_ROLES, ...options.endpointRoles } };
  let tokenDetails: ApiTokenDetailsOptions = options.apiTokenDetails ?? { expiresAtMs: clock.now() + 10 * 86_400_000 };
  const detailsDeps = { credentials, details: () => tokenDetails, orgId: () => cspDeps.appOrgIds()[0] };
  const clearFaults = (): void => {
    faults.clear();
    hangs.release();
  };
  const revokeTokens = (): void => tokens.revokeAll();
  const secrets = (): string[] => [...new Set([credentials.clientSecret, credentials.apiToken, ...tokens.tokens(), ...estate.secrets()])];
  const controlDeps = { stats, faults, estate, maxBodyBytes, clearFaults, revokeTokens, secrets };

  const server = http.createServer(
    requestListener({
      stats,
      faults,
      hangs,
      latencyMs: options.latencyMs ?? 0,
      maxBodyBytes,
      route: (req, url, segments) =>
        cspRoute(cspDeps, req, url.pathname, req.method ?? 'GET') ??
        tokenDetailsRoute(detailsDeps, url.pathname, req.method ?? 'GET') ??
        operationsRoute(vmcDeps, req, url, segments) ??
        vmcRoute(vmcDeps, req, url, segments),
      control: (options.controlApi ?? true) ? (req, segments) => controlAnswer(controlDeps, req, segments) : undefined,
    }),
  );
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  let closed: Promise<void> | undefined;

  return {
    url,
    credentials,
    get orgIds() {
      return estate.orgIds();
    },
    estate,
    stats,
    clock,
    addFault(fault) {
      faults.add(parseFault(fault));
    },
    clearFaults,
    faults: () => faults.list(),
    revokeTokens,
    setSddcState: (o, s, state) => estate.setSddcState(o, s, state),
    setHostState: (o, s, h, state) => estate.setHostState(o, s, h, state),
    removeSddc: (o, s) => estate.removeSddc(o, s),
    addSddc: (o, json) => estate.addSddc(o, json),
    setApiTokenDetails(details) {
      tokenDetails = details;
    },
    secrets,
    close() {
      closed ??= new Promise<void>((resolve) => {
        faults.clear();
        hangs.close();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
