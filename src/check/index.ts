/**
 * `vmc-exporter check`: runs once with the exporter's flags and environment and tells
 * whether the credentials can do everything the enabled collectors need. For each org it
 * gets a token, reads the token's claims (org, roles, client, expiry; never the token
 * itself), makes every call each enabled collector needs (its `check` probes, or its whole
 * fetch), and reports one row per call with, for each failure, the likely missing role or
 * step and the flag that would turn that collector off.
 */
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { readTokenClaims, type TokenClaims } from '../auth/token-claims.js';
import type { TokenManager, TokenObserver } from '../auth/token-manager.js';
import { TokenPool } from '../auth/token-pool.js';
import type { CollectorDefinition, FetchContext } from '../collect/collector.js';
import { COLLECTORS } from '../collect/collectors/index.js';
import type { Config } from '../config/config.js';
import { systemClock, type Clock } from '../lib/clock.js';
import type { SecretRegistry } from '../lib/secrets.js';
import { createDispatcher } from '../upstream/dispatcher.js';
import { HttpClient } from '../upstream/http-client.js';
import { orgListCall, VmcClient, type VmcCall } from '../vmc/vmc-client.js';
import type { Org } from '../vmc/types.js';
import { diagnoseTokenFailure, diagnoseVmcFailure, failureResult, type DiagnoseContext } from './diagnose.js';
import { renderReport, type CheckRow } from './report.js';

export type { CheckRow } from './report.js';

/** Dependencies of {@link runCheck}. */
export interface CheckDeps {
  /** Secrets read and tokens obtained are registered here; the report is scrubbed with it. */
  readonly secrets: SecretRegistry;
  /** Logger of the token manager (the check's own output is the report). */
  readonly logger: Logger;
  /** HTTP dispatcher. @default {@link createDispatcher} (proxies from the environment) */
  readonly dispatcher?: Dispatcher;
  /** Time source (token expiry in the report). @default systemClock */
  readonly clock?: Clock;
  /** The collector registry. @default {@link COLLECTORS} */
  readonly collectors?: readonly CollectorDefinition[];
}

/** What the check found. */
export interface CheckReport {
  /** True when every call worked (exit code 0). */
  readonly ok: boolean;
  /** One row per token request and VMC call, in order. */
  readonly rows: readonly CheckRow[];
  /** The report as printed: a header, the table, the hints and a summary line. */
  readonly text: string;
}

/** Node timers overflow past 2^31-1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const quietObserver: TokenObserver = { tokenRequested: () => undefined, tokenExpires: () => undefined };

/**
 * Runs the check.
 *
 * @param config - the exporter's configuration (the same flags and environment)
 * @param deps - secrets, logger, and injectable dispatcher, clock and collectors
 * @returns the report; `ok` decides the exit code
 */
export async function runCheck(config: Config, deps: CheckDeps): Promise<CheckReport> {
  const clock = deps.clock ?? systemClock;
  const dispatcher = deps.dispatcher ?? createDispatcher(process.env);
  try {
    const runner = new CheckRunner(config, deps, clock, dispatcher);
    const rows = await runner.run();
    const ok = rows.every((r) => r.status !== 'fail');
    return { ok, rows, text: deps.secrets.scrub(renderReport(header(config), rows)) };
  } finally {
    if (deps.dispatcher === undefined) await dispatcher.destroy().catch(() => undefined);
  }
}

function header(config: Config): string {
  const who = config.auth.kind === 'oauth' ? `OAuth app ${config.auth.clientId}` : 'a user API token';
  const orgs = config.orgs.length > 0 ? `${config.orgs.length} org${config.orgs.length === 1 ? '' : 's'} from --vmc.org` : 'orgs discovered with GET /vmc/api/orgs';
  return `vmc-exporter check: ${who}, ${orgs}`;
}

/** Formats a remaining time like `29m59s`, `2h0m`, `expired`. */
function remaining(ms: number): string {
  if (ms <= 0) return 'expired';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60}s`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}

/** The recording client: every call `fetch` makes becomes a row. */
class RecordingVmcClient extends VmcClient {
  onCall: ((spec: VmcCall<unknown>, outcome: { data: unknown } | { err: unknown }) => void) | undefined;

  override async call<T>(spec: VmcCall<T>, tokens: TokenManager): Promise<T> {
    try {
      const data = await super.call(spec, tokens);
      this.onCall?.(spec as VmcCall<unknown>, { data });
      return data;
    } catch (err) {
      this.onCall?.(spec as VmcCall<unknown>, { err });
      throw err;
    }
  }
}

class CheckRunner {
  readonly #config: Config;
  readonly #deps: CheckDeps;
  readonly #clock: Clock;
  readonly #vmc: RecordingVmcClient;
  readonly #tokens: TokenPool;
  readonly #perOrg: boolean;
  readonly #rows: CheckRow[] = [];
  /** The orgs as the org list gave them, when orgs are discovered. */
  readonly #listed = new Map<string, Org>();

  constructor(config: Config, deps: CheckDeps, clock: Clock, dispatcher: Dispatcher) {
    this.#config = config;
    this.#deps = deps;
    this.#clock = clock;
    const http = new HttpClient({ dispatcher, observer: { requestDone: () => undefined }, secrets: deps.secrets, clock });
    const callBudgetMs = Math.min(config.requestTimeoutSeconds * 1000, MAX_TIMER_MS);
    this.#vmc = new RecordingVmcClient({ http, vmcUrl: config.vmcUrl, clock, callBudgetMs });
    this.#perOrg = config.orgs.length > 0 && config.auth.kind === 'oauth';
    this.#tokens = new TokenPool({
      auth: config.auth,
      perOrg: config.orgs.length > 0,
      csp: { http, cspUrl: config.cspUrl, clock, timeoutMs: callBudgetMs, secrets: deps.secrets },
      clock,
      observer: quietObserver,
      secrets: deps.secrets,
      logger: deps.logger,
    });
  }

  async run(): Promise<CheckRow[]> {
    // The token without orgId proves the credentials themselves, whatever the orgs.
    const shared = await this.#token('', this.#tokens.shared(), false);
    if (shared === undefined) return this.#rows;
    const orgs = this.#config.orgs.length > 0 ? this.#config.orgs : await this.#listOrgs(shared);
    if (orgs === undefined) return this.#rows;
    const collectors = (this.#deps.collectors ?? COLLECTORS).filter((d) => this.#config.collectors[d.name]?.enabled === true);
    for (const org of orgs) {
      const manager = this.#tokens.forOrg(org);
      const claims = this.#perOrg ? await this.#token(org, manager, true) : shared;
      if (claims === undefined) continue;
      await this.#collectors(org, manager, claims, collectors.filter((d) => (d.scope ?? 'org') === 'org'));
    }
    const wide = collectors.filter((d) => d.scope === 'exporter');
    if (wide.length > 0) await this.#collectors('', this.#tokens.shared(), shared, wide);
    return this.#rows;
  }

  /** Requests a token; adds its row; resolves with its claims (an empty set for an opaque token), or undefined after a failure. */
  async #token(org: string, manager: TokenManager, appWorks: boolean): Promise<TokenClaims | undefined> {
    const auth = this.#config.auth.kind;
    let token: string;
    try {
      token = await manager.getToken();
    } catch (err) {
      this.#rows.push({
        org,
        endpoint: auth === 'oauth' ? 'token' : 'api-token',
        status: 'fail',
        result: failureResult(err),
        detail: message(err),
        hint: diagnoseTokenFailure(err, { org, auth }, this.#config.cspUrl, appWorks),
      });
      return undefined;
    }
    const claims = readTokenClaims(token) ?? { org: undefined, perms: [], clientId: undefined, expiresAt: undefined };
    const forOrg = `for org ${claims.org ?? '(not in the token)'}`;
    const parts = [
      auth === 'api-token' ? `access token ${forOrg} (the API token's own org)` : org === '' ? `token without orgId, ${forOrg}` : `token ${forOrg}`,
      claims.clientId ? `${auth === 'oauth' ? 'app' : 'client'} ${claims.clientId}` : undefined,
      `roles ${claims.perms.length > 0 ? claims.perms.join(', ') : '(none in the token)'}`,
      claims.expiresAt !== undefined ? `expires in ${remaining(claims.expiresAt - this.#clock.now())}` : undefined,
    ].filter((p) => p !== undefined);
    const wrongOrg = org !== '' && claims.org !== undefined && claims.org !== org;
    this.#rows.push({
      org,
      endpoint: auth === 'oauth' ? 'token' : 'api-token',
      status: wrongOrg ? 'fail' : 'ok',
      result: wrongOrg ? 'wrong org' : 'ok',
      detail: parts.join('; '),
      ...(wrongOrg ? { hint: `CSP issued a token for org ${claims.org} when asked for org ${org}` } : {}),
    });
    return wrongOrg ? undefined : claims;
  }

  /** Lists the orgs with the token without orgId (discovered orgs); adds its row. */
  async #listOrgs(claims: TokenClaims): Promise<readonly string[] | undefined> {
    const ctx = this.#diagnoseContext('', claims, undefined);
    try {
      const orgs: Org[] = await this.#vmc.call(orgListCall(), this.#tokens.shared());
      for (const o of orgs) this.#listed.set(o.id, o);
      const ids = orgs.map((o) => o.id);
      this.#rows.push({ org: '', endpoint: 'orgs', status: ids.length > 0 ? 'ok' : 'fail', result: ids.length > 0 ? 'ok' : 'no orgs', detail: `${ids.length} org${ids.length === 1 ? '' : 's'}${ids.length > 0 ? `: ${ids.join(', ')}` : ''}`, ...(ids.length === 0 ? { hint: 'the token sees no org: add the app to the orgs to monitor and name them with --vmc.org' } : {}) });
      return ids;
    } catch (err) {
      this.#rows.push({ org: '', endpoint: 'orgs', status: 'fail', result: failureResult(err), detail: message(err), hint: diagnoseVmcFailure(err, ctx) });
      return undefined;
    }
  }

  /** Runs the collectors' probes (or fetches) for one org, in registry order. */
  async #collectors(org: string, manager: TokenManager, claims: TokenClaims, collectors: readonly CollectorDefinition[]): Promise<void> {
    const results = new Map<string, unknown>();
    for (const def of collectors) {
      const diag = this.#diagnoseContext(org, claims, def);
      const ctx: FetchContext = {
        orgId: org,
        vmc: this.#vmc,
        tokens: manager,
        options: this.#config.collectors[def.name]?.options ?? {},
        now: () => this.#clock.now(),
        // As the exporter does: discovered orgs come with the org list, named orgs are asked for.
        listedOrg: () => this.#listed.get(org),
        dependency: <D>(name: string): Promise<D | undefined> => Promise.resolve(results.get(name) as D | undefined),
      };
      const record = (spec: VmcCall<unknown>, outcome: { data: unknown } | { err: unknown }, describe?: (data: unknown) => string): void => {
        if ('err' in outcome) {
          this.#rows.push({ org, endpoint: spec.endpoint, status: 'fail', result: failureResult(outcome.err), detail: message(outcome.err), hint: diagnoseVmcFailure(outcome.err, diag), collector: def.name });
        } else {
          this.#rows.push({ org, endpoint: spec.endpoint, status: 'ok', result: 'ok', detail: describe ? describe(outcome.data) : `${spec.method ?? 'GET'} ${spec.path.split('?')[0]}`, collector: def.name });
        }
      };
      if (def.check !== undefined) {
        let first = true;
        for (const probe of def.check) {
          const spec = await probe.call(ctx);
          if (spec === undefined) {
            this.#rows.push({ org, endpoint: probe.endpoint, status: 'skipped', result: 'skipped', detail: 'nothing to call it on in this org', collector: def.name });
            continue;
          }
          try {
            const data = await this.#vmc.call(spec, manager);
            record(spec, { data }, probe.describe);
            if (first) results.set(def.name, data);
          } catch (err) {
            record(spec, { err });
          }
          first = false;
        }
      } else {
        this.#vmc.onCall = (spec, outcome) => record(spec, outcome);
        try {
          results.set(def.name, await def.fetch(ctx));
        } catch {
          // recorded by onCall; an error outside a VMC call has no row of its own
        } finally {
          this.#vmc.onCall = undefined;
        }
      }
    }
  }

  #diagnoseContext(org: string, claims: TokenClaims, def: CollectorDefinition | undefined): DiagnoseContext {
    return {
      org,
      claims,
      auth: this.#config.auth.kind,
      perOrg: this.#perOrg,
      vmcUrl: this.#config.vmcUrl,
      ...(def ? { collector: { name: def.name, ...(def.forbiddenHint ? { forbiddenHint: def.forbiddenHint } : {}) } } : {}),
    };
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
