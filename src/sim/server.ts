/**
 * The simulator: one loopback HTTP server answering like CSP (token endpoints) and VMC
 * (orgs and SDDC lists) over an {@link Estate}, with org-scoped expiring tokens, fault
 * injection, request counters and an HTTP control API under `/_sim/`.
 *
 * Used by the exporter's `--demo` mode, end-to-end tests, the benchmark and the Prometheus
 * integration test. See docs/fragments/simulator.md.
 */
import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type Clock, systemClock } from '../lib/clock.js';
import { demoEstate } from './demo-estate.js';
import { Estate, type JsonObject, orgJson, SimNotFoundError } from './estate.js';
import { type Fault, FaultRegistry, FaultValidationError, parseFault, type SimEndpoint } from './faults.js';
import { randomHex, randomUuid } from './random.js';
import { type Answer, cspError, deliver, faultStatusAnswer, jsonAnswer, vmcError } from './responses.js';
import { bump, SimulatorStats } from './stats.js';

export { type Fault, type FaultEndpoint, type FaultKind, FAULT_ENDPOINTS, FAULT_KINDS } from './faults.js';
export { SimulatorStats, type SimulatorStatsSnapshot } from './stats.js';

/** CSP path of the OAuth app token endpoint. */
export const TOKEN_PATH = '/csp/gateway/am/api/auth/token';
/** CSP path of the API-token exchange endpoint. */
export const API_TOKEN_PATH = '/csp/gateway/am/api/auth/api-tokens/authorize';

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
  /** Org ids the OAuth app has been added to; the first is its home org. @default every org of the estate */
  readonly appOrgIds?: readonly string[];
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

/** Credentials the simulator accepts. */
export interface SimulatorCredentials {
  /** OAuth app id (HTTP Basic user at the token endpoint). */
  readonly clientId: string;
  /** OAuth app secret (HTTP Basic password). */
  readonly clientSecret: string;
  /** User API token (`api_token` form field). */
  readonly apiToken: string;
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
  /**
   * Every secret the simulator knows: client secret, API token, every access token issued,
   * and every password value in the estate.
   */
  secrets(): string[];
  /** Stops the server, destroying open connections (hung and trickling ones included). */
  close(): Promise<void>;
}

interface IssuedToken {
  readonly orgId: string;
  readonly expiresAtMs: number;
  revoked: boolean;
}

interface Route {
  readonly endpoint: SimEndpoint;
  readonly family: 'csp' | 'vmc';
  readonly org: string | undefined;
  readonly run: (form: URLSearchParams) => Answer;
}

const TOKEN_SCOPE = 'openid csp:org_member external/ybUdoTC05kYFC9ZG/vmc-user:full';

/** Starts a simulator and resolves once it listens. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const clock = options.clock ?? systemClock;
  const estate = options.estate ?? demoEstate(clock);
  const credentials: SimulatorCredentials = {
    clientId: options.clientId ?? `sim-app-${randomHex(6)}`,
    clientSecret: options.clientSecret ?? `simsecret-${randomBytes(24).toString('base64url')}`,
    apiToken: options.apiToken ?? `simapitoken-${randomBytes(32).toString('base64url')}`,
  };
  const ttlSeconds = options.tokenTtlSeconds ?? 1799;
  const latencyMs = options.latencyMs ?? 0;
  const maxBodyBytes = options.maxBodyBytes ?? 65_536;
  const controlApi = options.controlApi ?? true;
  const movement = options.movement ?? false;
  const stats = new SimulatorStats();
  const faults = new FaultRegistry();
  const tokens = new Map<string, IssuedToken>();
  const sockets = new Set<Socket>();
  let releaseHangs: () => void = () => undefined;
  let hangGate = newGate();
  let closing = false;

  function newGate(): Promise<void> {
    return new Promise<void>((resolve) => {
      releaseHangs = resolve;
    });
  }

  const appOrgIds = (): readonly string[] => options.appOrgIds ?? estate.orgIds();
  const query = (includeDeleted: boolean) => ({ includeDeleted, ...(movement ? { at: clock.now() } : {}) });

  function issueToken(orgId: string, subject: string): Answer {
    const nowMs = clock.now();
    const iat = Math.floor(nowMs / 1000);
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const token = [
      b64({ alg: 'RS256', kid: 'signing_2', typ: 'JWT' }),
      b64({
        sub: subject,
        iss: 'https://gaz.csp-vidm-prod.com',
        context: randomUuid(),
        context_name: orgId,
        azp: subject,
        perms: ['csp:org_member', 'external/ybUdoTC05kYFC9ZG/vmc-user:full'],
        iat,
        exp: iat + ttlSeconds,
        jti: randomUuid(),
      }),
      randomBytes(64).toString('base64url'),
    ].join('.');
    tokens.set(token, { orgId, expiresAtMs: nowMs + ttlSeconds * 1000, revoked: false });
    stats.tokensIssued++;
    return jsonAnswer(200, {
      access_token: token,
      token_type: 'bearer',
      expires_in: ttlSeconds,
      scope: TOKEN_SCOPE,
      id_token: null,
      refresh_token: null,
    });
  }

  function tokenEndpoint(req: IncomingMessage, form: URLSearchParams): Answer {
    const auth = req.headers.authorization;
    if (auth === undefined || auth.trim() === '') {
      return cspError(401, '250.100', 'Missing mandatory request header: authorization', 250);
    }
    const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(auth);
    const decoded = match?.[1] === undefined ? '' : Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return cspError(401, '250.101', 'Invalid authorization header', 250);
    if (decoded.slice(0, colon) !== credentials.clientId || decoded.slice(colon + 1) !== credentials.clientSecret) {
      return cspError(400, '250.102', 'invalid_client: Client authentication failed (unknown client or bad secret)', 250);
    }
    const grant = form.get('grant_type');
    if (grant === null || grant === '') return cspError(400, '250.103', 'invalid_request: Missing mandatory parameter: grant_type', 250);
    if (grant !== 'client_credentials') {
      return cspError(400, '250.104', 'unsupported_grant_type: The grant type is not supported for this client', 250);
    }
    const requested = form.get('orgId') ?? form.get('org_id') ?? '';
    const orgs = appOrgIds();
    if (requested !== '' && !orgs.includes(requested)) {
      return cspError(400, '250.105', 'invalid_request: The client is not a member of the requested organization', 250);
    }
    const orgId = requested !== '' ? requested : orgs[0];
    if (orgId === undefined) return cspError(400, '250.106', 'invalid_request: The client belongs to no organization', 250);
    return issueToken(orgId, credentials.clientId);
  }

  function apiTokenEndpoint(form: URLSearchParams): Answer {
    const presented = form.get('api_token');
    if (presented === null || presented === '') {
      return cspError(400, '540.110-340.400', 'invalid_request: Missing mandatory parameter: api_token', '540');
    }
    if (presented !== credentials.apiToken) {
      return cspError(404, '540.120-340.800', `invalid_grant: Invalid refresh token: xxxx...${presented.slice(-5)}`, '540');
    }
    const home = appOrgIds()[0];
    if (home === undefined) return cspError(400, '540.130-340.400', 'invalid_grant: The token belongs to no organization', '540');
    return issueToken(home, 'sim-user@example.com');
  }

  /** The token's record when `csp-auth-token` is valid now, else the 401 answer. */
  function authenticate(req: IncomingMessage, path: string): IssuedToken | Answer {
    const raw = req.headers['csp-auth-token'];
    const token = Array.isArray(raw) ? raw[0] : raw;
    const challenge = { 'www-authenticate': 'Bearer realm="VMware Cloud Services", error="invalid_token"' };
    if (token === undefined || token === '') {
      return vmcError(401, path, 'unauthenticated', 'Unauthorized: missing csp-auth-token header', { 'www-authenticate': 'Bearer realm="VMware Cloud Services"' });
    }
    const record = tokens.get(token);
    if (record === undefined) return vmcError(401, path, 'unauthenticated', 'Unauthorized: invalid token', challenge);
    if (record.revoked) return vmcError(401, path, 'unauthenticated', 'Unauthorized: token revoked', challenge);
    if (clock.now() >= record.expiresAtMs) return vmcError(401, path, 'unauthenticated', 'Unauthorized: token expired', challenge);
    return record;
  }

  function orgAccess(req: IncomingMessage, path: string, orgId: string): Answer | undefined {
    const auth = authenticate(req, path);
    if (!('orgId' in auth)) return auth;
    if (estate.org(orgId) === undefined) return vmcError(404, path, 'not_found', 'Organization not found');
    if (auth.orgId !== orgId) return vmcError(403, path, 'unauthorized', 'The user is not authorized to access this organization');
    return undefined;
  }

  function route(req: IncomingMessage, url: URL, segments: string[]): Route | Answer {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const allow = (expected: string): Answer | undefined =>
      method === expected || (expected === 'GET' && method === 'HEAD')
        ? undefined
        : vmcError(405, path, 'method_not_allowed', `Method ${expected} expected`, { allow: expected });
    if (path === TOKEN_PATH) {
      if (method !== 'POST') return cspError(405, '250.405', 'Method not allowed', 250);
      return { endpoint: 'token', family: 'csp', org: undefined, run: (form) => tokenEndpoint(req, form) };
    }
    if (path === API_TOKEN_PATH) {
      if (method !== 'POST') return cspError(405, '250.405', 'Method not allowed', 250);
      return { endpoint: 'api-token', family: 'csp', org: undefined, run: (form) => apiTokenEndpoint(form) };
    }
    const [a, b, c, org, e, sddc, ...rest] = segments;
    if (a !== 'vmc' || b !== 'api' || c !== 'orgs' || rest.length > 0) return vmcError(404, path, 'not_found', 'Not found');
    const bad = allow('GET');
    if (bad) return bad;
    if (org === undefined) {
      return {
        endpoint: 'orgs',
        family: 'vmc',
        org: undefined,
        run: () => {
          const auth = authenticate(req, path);
          if (!('orgId' in auth)) return auth;
          const org = estate.org(auth.orgId);
          return jsonAnswer(200, org === undefined ? [] : [orgJson(org)]);
        },
      };
    }
    if (e === undefined) {
      return {
        endpoint: 'orgs',
        family: 'vmc',
        org,
        run: () => {
          const denied = orgAccess(req, path, org);
          if (denied) return denied;
          const found = estate.org(org);
          return found === undefined ? vmcError(404, path, 'not_found', 'Organization not found') : jsonAnswer(200, orgJson(found));
        },
      };
    }
    if (e !== 'sddcs') return vmcError(404, path, 'not_found', 'Not found');
    if (sddc === undefined) {
      return {
        endpoint: 'sddcs',
        family: 'vmc',
        org,
        run: () => {
          const denied = orgAccess(req, path, org);
          if (denied) return denied;
          const includeDeleted = url.searchParams.get('includeDeleted')?.toLowerCase() === 'true';
          return { status: 200, headers: { 'content-type': 'application/json' }, body: estate.body(org, query(includeDeleted)) };
        },
      };
    }
    return {
      endpoint: 'sddcs',
      family: 'vmc',
      org,
      run: () => {
        const denied = orgAccess(req, path, org);
        if (denied) return denied;
        const found = estate.sddc(org, sddc, query(true));
        return found === undefined
          ? vmcError(404, path, 'not_found', 'Cannot find the SDDC with given identifier')
          : jsonAnswer(200, found);
      },
    };
  }

  function count(r: Route, form: URLSearchParams, segments: string[]): void {
    switch (r.endpoint) {
      case 'token':
        bump(stats.tokenRequests, form.get('orgId') ?? form.get('org_id') ?? '');
        return;
      case 'api-token':
        stats.apiTokenRequests++;
        return;
      case 'orgs':
        if (r.org === undefined) stats.orgListRequests++;
        else bump(stats.orgGetRequests, r.org);
        return;
      case 'sddcs':
        bump(segments.length > 5 ? stats.sddcGetRequests : stats.sddcListRequests, r.org ?? '');
        return;
    }
  }

  /** Waits `ms` real milliseconds; false when the client went away (or the server closed). */
  function pause(res: ServerResponse, ms: number): Promise<boolean> {
    if (ms <= 0) return Promise.resolve(!res.destroyed);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        res.off('close', onClose);
        resolve(ok);
      };
      const onClose = () => done(false);
      const timer = setTimeout(() => done(!res.destroyed), ms);
      res.once('close', onClose);
    });
  }

  /** Holds a request until faults are cleared (true) or the client/server goes away (false). */
  function hold(res: ServerResponse): Promise<boolean> {
    return new Promise((resolve) => {
      const onClose = () => resolve(false);
      res.once('close', onClose);
      void hangGate.then(() => {
        res.off('close', onClose);
        resolve(!res.destroyed && !closing);
      });
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    let segments: string[];
    try {
      url = new URL(req.url ?? '/', 'http://sim.invalid');
      segments = url.pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
    } catch {
      await deliver(req, res, vmcError(400, '/', 'invalid_request', 'Bad request path'), plain);
      return;
    }
    if (controlApi && segments[0] === '_sim') {
      await deliver(req, res, await control(req, segments.slice(1)), plain);
      return;
    }
    const routed = route(req, url, segments);
    if (!('run' in routed)) {
      stats.unknownRequests++;
      req.resume();
      await deliver(req, res, routed, plain);
      return;
    }
    const raw = req.method === 'POST' ? await readBody(req, maxBodyBytes) : Buffer.alloc(0);
    if (raw === undefined) {
      await deliver(req, res, cspError(413, '250.413', 'Request entity too large', 250), plain);
      return;
    }
    const form = new URLSearchParams(raw.toString('utf8'));
    count(routed, form, segments);
    const org = routed.endpoint === 'token' ? form.get('orgId') ?? form.get('org_id') ?? undefined : routed.org;
    const fault = faults.take(routed.endpoint, org);
    if (fault) stats.faultsApplied++;
    if (routed.family === 'vmc' && !(await pause(res, latencyMs))) return;
    if (fault?.latencyMs !== undefined && !(await pause(res, fault.latencyMs))) return;
    if (fault?.kind === 'reset') {
      req.socket.resetAndDestroy();
      return;
    }
    if (fault?.kind === 'hang' && !(await hold(res))) return;
    let answer: Answer;
    if (fault?.status !== undefined) {
      answer = faultStatusAnswer(routed.family, fault.status, url.pathname);
      if (fault.body !== undefined) answer.body = Buffer.from(fault.body);
    } else {
      answer = routed.run(form);
    }
    if (fault?.headers) for (const [k, v] of Object.entries(fault.headers)) answer.headers[k.toLowerCase()] = v;
    await deliver(req, res, answer, {
      ...(fault?.kind === undefined || fault.kind === 'hang' ? {} : { kind: fault.kind }),
      trickleBytes: fault?.trickleBytes ?? 8,
      trickleIntervalMs: fault?.trickleIntervalMs ?? 1000,
      head: req.method === 'HEAD',
    });
  }

  async function control(req: IncomingMessage, seg: string[]): Promise<Answer> {
    const method = req.method ?? 'GET';
    const path = `/_sim/${seg.join('/')}`;
    const ok = jsonAnswer(200, { ok: true });
    const raw = method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : await readBody(req, maxBodyBytes);
    if (raw === undefined) return jsonAnswer(413, { error: 'request body too large' });
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return jsonAnswer(400, { error: 'body is not JSON' });
      }
    }
    // Segments after `orgs`, `sddcs` and `hosts` are ids: match them as `*`.
    const shape = seg.map((s, i) => (i > 0 && ['orgs', 'sddcs', 'hosts'].includes(seg[i - 1] ?? '') ? '*' : s));
    const key = `${method} ${shape.join('/')}`;
    try {
      switch (key) {
        case 'GET stats':
          return jsonAnswer(200, stats.toJSON());
        case 'POST reset-stats':
          stats.reset();
          return ok;
        case 'GET faults':
          return jsonAnswer(200, faults.list());
        case 'POST faults':
          faults.add(parseFault(body));
          return jsonAnswer(201, { ok: true, faults: faults.list().length });
        case 'DELETE faults':
          sim.clearFaults();
          return ok;
        case 'POST revoke-tokens':
          sim.revokeTokens();
          return ok;
        case 'GET secrets':
          return jsonAnswer(200, { secrets: sim.secrets() });
        case 'GET orgs':
          return jsonAnswer(200, estate.orgs());
        case 'PUT orgs/*/sddcs/*/state':
          estate.setSddcState(seg[1] ?? '', seg[3] ?? '', stateOf(body));
          return ok;
        case 'PUT orgs/*/sddcs/*/hosts/*/state':
          estate.setHostState(seg[1] ?? '', seg[3] ?? '', seg[5] ?? '', stateOf(body));
          return ok;
        case 'DELETE orgs/*/sddcs/*':
          estate.removeSddc(seg[1] ?? '', seg[3] ?? '');
          return ok;
        case 'POST orgs/*/sddcs':
          if (typeof body !== 'object' || body === null || Array.isArray(body)) return jsonAnswer(400, { error: 'body must be an SDDC JSON object' });
          estate.addSddc(seg[1] ?? '', body as JsonObject);
          return jsonAnswer(201, { ok: true });
        default:
          return jsonAnswer(404, { error: `no control endpoint ${method} ${path}` });
      }
    } catch (err) {
      if (err instanceof SimNotFoundError) return jsonAnswer(404, { error: err.message });
      if (err instanceof FaultValidationError || err instanceof BadControlInput) return jsonAnswer(400, { error: err.message });
      throw err;
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"status":500,"error_code":"internal","error_messages":["simulator error"],"retryable":true}');
      } else {
        res.destroy();
      }
    });
  });
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

  const sim: Simulator = {
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
    clearFaults() {
      faults.clear();
      releaseHangs();
      hangGate = newGate();
    },
    faults: () => faults.list(),
    revokeTokens() {
      for (const t of tokens.values()) t.revoked = true;
    },
    setSddcState: (o, s, state) => estate.setSddcState(o, s, state),
    setHostState: (o, s, h, state) => estate.setHostState(o, s, h, state),
    removeSddc: (o, s) => estate.removeSddc(o, s),
    addSddc: (o, json) => estate.addSddc(o, json),
    secrets() {
      return [...new Set([credentials.clientSecret, credentials.apiToken, ...tokens.keys(), ...estate.secrets()])];
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        faults.clear();
        releaseHangs();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      });
      return closed;
    },
  };
  return sim;
}

const plain = { trickleBytes: 8, trickleIntervalMs: 1000 } as const;

class BadControlInput extends Error {}

function stateOf(body: unknown): string {
  const state = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['state'] : undefined;
  if (typeof state !== 'string' || state === '') throw new BadControlInput('body must be {"state": "<STATE>"}');
  return state;
}

/** Reads a request body up to `limit` bytes; undefined when it is larger (the rest is drained). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      if (!over) chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
