/**
 * What the simulator's API routers produce: a {@link Route} naming the endpoint a request
 * reached (for fault matching and counting) and how to answer it, plus the request counting
 * done for every routed request.
 */
import type { SimEndpoint } from './faults.js';
import type { Answer } from './responses.js';
import { bump, type SimulatorStats } from './stats.js';

/** A request matched to a simulated CSP or VMC endpoint, not yet answered. */
export interface Route {
  /** The endpoint, as faults name it. */
  readonly endpoint: SimEndpoint;
  /** Which API family answers: decides the shape of fault error bodies and whether the VMC latency applies. */
  readonly family: 'csp' | 'vmc';
  /** The `{org}` path segment for VMC requests about one org; undefined otherwise. */
  readonly org: string | undefined;
  /** Computes the real answer from the request's body: as a form, and raw (JSON bodies); empty for GETs. */
  readonly run: (form: URLSearchParams, raw: Buffer) => Answer;
}

/**
 * The org a routed request is about for fault matching: the `orgId` (or `org_id`) form field
 * for `token`, the route's org otherwise.
 */
export function routeOrg(route: Route, form: URLSearchParams): string | undefined {
  return route.endpoint === 'token' ? (form.get('orgId') ?? form.get('org_id') ?? undefined) : route.org;
}

/**
 * Counts a routed request in `stats`, whatever its answer will be.
 *
 * @param stats - the counters to update
 * @param route - the endpoint the request was routed to
 * @param form - the request's form body (token requests are counted by requested org)
 * @param segments - the decoded path segments (more than five = a single SDDC)
 */
export function countRequest(stats: SimulatorStats, route: Route, form: URLSearchParams, segments: readonly string[]): void {
  stats.routedRequests++;
  const org = route.org ?? '';
  switch (route.endpoint) {
    case 'token':
      bump(stats.tokenRequests, form.get('orgId') ?? form.get('org_id') ?? '');
      return;
    case 'api-token':
      stats.apiTokenRequests++;
      return;
    case 'orgs':
      if (route.org === undefined) stats.orgListRequests++;
      else bump(stats.orgGetRequests, route.org);
      return;
    case 'sddcs':
      bump(segments.length > 5 ? stats.sddcGetRequests : stats.sddcListRequests, org);
      return;
    case 'maintenance':
      bump(stats.maintenanceRequests, org);
      return;
    case 'tasks':
      bump(stats.taskRequests, org);
      return;
    case 'subscriptions':
      bump(stats.subscriptionRequests, org);
      return;
    case 'aws-link':
      bump(stats.awsLinkRequests, org);
      return;
    case 'edrs':
      bump(stats.edrsRequests, `${org}/${segments[6] ?? ''}`);
      return;
    case 'api-token-details':
      stats.apiTokenDetailsRequests++;
      return;
  }
}
