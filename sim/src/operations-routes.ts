/**
 * The simulator's VMC operational endpoints, over each org's {@link OrgOperations}:
 *
 * - `POST /vmc/api/orgs/{org}/tbrs/reservation` (`maintenance`): reservations by SDDC id,
 *   optionally only the `states` of the JSON body (`SddcStateRequest`);
 * - `GET /vmc/api/orgs/{org}/tasks[?$filter=…]` (`tasks`), the filter in the subset of
 *   `odata-filter.ts`, 400 for anything else;
 * - `GET /vmc/api/orgs/{org}/subscriptions` (`subscriptions`);
 * - `GET /vmc/api/orgs/{org}/account-link/sddc-connections` (`aws-link`);
 * - `GET /vmc/autoscaler/api/orgs/{org}/sddcs/{sddc}/edrs-policy` (`edrs`): the SDDC's
 *   policies, derived from its clusters unless set; 400 for a 1-node SDDC or one without
 *   clusters, 404 for an unknown SDDC.
 *
 * Access checks are the VMC ones (`orgAccess`). Every other method on these paths is 405:
 * the simulator has no write endpoint.
 */
import type { IncomingMessage } from 'node:http';
import { compileFilter, FilterSyntaxError } from './odata-filter.js';
import { derivedEdrs, reservationMap } from './operations.js';
import { type Answer, jsonAnswer, vmcError } from './responses.js';
import type { Route } from './route.js';
import type { JsonObject } from './sddc-json.js';
import { orgAccess, type VmcDeps } from './vmc-routes.js';

function statesOf(raw: Buffer): readonly string[] | undefined | 'bad' {
  if (raw.length === 0) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return 'bad';
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'bad';
  const states = (body as JsonObject)['states'];
  if (states === undefined) return undefined;
  if (!Array.isArray(states) || states.some((s) => typeof s !== 'string')) return 'bad';
  return states as string[];
}

/**
 * Routes a request to an operational endpoint; undefined when the path is not one.
 *
 * @param deps - estate, tokens, clock and movement switch
 * @param req - the request
 * @param url - its parsed URL (`$filter` is read from it)
 * @param segments - its decoded path segments
 */
export function operationsRoute(deps: VmcDeps, req: IncomingMessage, url: URL, segments: readonly string[]): Route | Answer | undefined {
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const s = segments;
  const vmc = s[0] === 'vmc' && s[1] === 'api' && s[2] === 'orgs' && s[3] !== undefined;
  const autoscaler = s[0] === 'vmc' && s[1] === 'autoscaler' && s[2] === 'api' && s[3] === 'orgs' && s[4] !== undefined;
  const wrongMethod = (allowed: string): Answer => vmcError(405, path, 'method_not_allowed', `Method ${allowed} expected`, { allow: allowed });
  const isRead = method === 'GET' || method === 'HEAD';

  if (vmc && s.length === 6 && s[4] === 'tbrs' && s[5] === 'reservation') {
    const org = s[3]!;
    if (method !== 'POST') return wrongMethod('POST');
    return {
      endpoint: 'maintenance',
      family: 'vmc',
      org,
      run: (_form, raw) => {
        const denied = orgAccess(deps, req, path, org, 'maintenance');
        if (denied) return denied;
        const states = statesOf(raw);
        if (states === 'bad') return vmcError(400, path, 'invalid_request', 'Request body is not a valid SddcStateRequest');
        return jsonAnswer(200, reservationMap(deps.estate.operations(org).reservations, states));
      },
    };
  }
  if (vmc && s.length === 5 && s[4] === 'tasks') {
    const org = s[3]!;
    if (!isRead) return wrongMethod('GET');
    return {
      endpoint: 'tasks',
      family: 'vmc',
      org,
      run: () => {
        const denied = orgAccess(deps, req, path, org, 'tasks');
        if (denied) return denied;
        const tasks = deps.estate.operations(org).tasks;
        const filter = url.searchParams.get('$filter');
        if (filter === null) return jsonAnswer(200, tasks);
        try {
          const keep = compileFilter(filter);
          return jsonAnswer(200, tasks.filter(keep));
        } catch (err) {
          if (err instanceof FilterSyntaxError) return vmcError(400, path, 'invalid_filter', `Invalid $filter: ${err.message}`);
          throw err;
        }
      },
    };
  }
  if (vmc && s.length === 5 && s[4] === 'subscriptions') {
    const org = s[3]!;
    if (!isRead) return wrongMethod('GET');
    return {
      endpoint: 'subscriptions',
      family: 'vmc',
      org,
      run: () => orgAccess(deps, req, path, org, 'subscriptions') ?? jsonAnswer(200, deps.estate.operations(org).subscriptions),
    };
  }
  if (vmc && s.length === 6 && s[4] === 'account-link' && s[5] === 'sddc-connections') {
    const org = s[3]!;
    if (!isRead) return wrongMethod('GET');
    return {
      endpoint: 'aws-link',
      family: 'vmc',
      org,
      run: () => {
        const denied = orgAccess(deps, req, path, org, 'aws-link');
        if (denied) return denied;
        const sddc = url.searchParams.get('sddc');
        const all = deps.estate.operations(org).connections;
        return jsonAnswer(200, sddc === null ? all : all.filter((c) => c['sddc_id'] === sddc));
      },
    };
  }
  if (autoscaler && s.length === 8 && s[5] === 'sddcs' && s[7] === 'edrs-policy') {
    const org = s[4]!;
    const sddcId = s[6]!;
    if (!isRead) return wrongMethod('GET');
    return {
      endpoint: 'edrs',
      family: 'vmc',
      org,
      run: () => {
        const denied = orgAccess(deps, req, path, org, 'edrs');
        if (denied) return denied;
        const sddc = deps.estate.sddc(org, sddcId, deps.movement ? { at: deps.clock.now() } : {});
        if (sddc === undefined) return vmcError(404, path, 'not_found', 'Cannot find the SDDC with given identifier');
        const set = deps.estate.operations(org).edrs[sddcId];
        if (set !== undefined) return jsonAnswer(200, set);
        const derived = derivedEdrs(sddc);
        if (derived.length === 0 || sddc['sddc_type'] === '1NODE') {
          return vmcError(400, path, 'invalid_request', 'Elastic DRS is not applicable to this SDDC');
        }
        return jsonAnswer(200, derived);
      },
    };
  }
  return undefined;
}
