/**
 * Shared helpers of the simulator tests: token exchange and authenticated GETs against a
 * running simulator.
 */
import type { Simulator } from '../../sim/src/server.js';

/** `Authorization: Basic` value for the simulator's OAuth app (or given credentials). */
export function basicAuth(sim: Simulator, clientId = sim.credentials.clientId, secret = sim.credentials.clientSecret): string {
  return `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
}

/** POSTs a form to a path of the simulator. */
export function postForm(sim: Simulator, path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(sim.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

/** Gets an access token with client_credentials (scoped to `orgId` when given). */
export async function accessToken(sim: Simulator, orgId?: string): Promise<string> {
  const res = await postForm(
    sim,
    '/csp/gateway/am/api/auth/token',
    { grant_type: 'client_credentials', ...(orgId === undefined ? {} : { orgId }) },
    { authorization: basicAuth(sim) },
  );
  if (res.status !== 200) throw new Error(`token request failed: ${res.status}`);
  const body = (await res.json()) as { access_token: string };
  return body.access_token;
}

/** GET with `csp-auth-token`. */
export function vmcGet(sim: Simulator, path: string, token: string | undefined): Promise<Response> {
  return fetch(sim.url + path, { headers: token === undefined ? {} : { 'csp-auth-token': token } });
}

/** The SDDC list of an org (asserting 200). */
export async function listSddcs(sim: Simulator, orgId: string, token: string, includeDeleted = false): Promise<Array<Record<string, unknown>>> {
  const res = await vmcGet(sim, `/vmc/api/orgs/${orgId}/sddcs${includeDeleted ? '?includeDeleted=true' : ''}`, token);
  if (res.status !== 200) throw new Error(`SDDC list failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as Array<Record<string, unknown>>;
}

/** Host objects of `clusters[].esx_host_list` of one SDDC JSON. */
export function clusterHosts(sddc: Record<string, unknown>): Array<Record<string, unknown>> {
  const rc = sddc['resource_config'] as { clusters?: Array<{ esx_host_list: Array<Record<string, unknown>> }> } | null;
  return (rc?.clusters ?? []).flatMap((c) => c.esx_host_list);
}
