/**
 * What a failed call of `vmc-exporter check` most likely means, as one hint naming the
 * missing role or step and the flag that works around it. Pure.
 */
import { CredentialsRejectedError } from '../auth/errors.js';
import { isVmcServiceRole, type TokenClaims } from '../auth/token-claims.js';
import { UpstreamError } from '../upstream/errors.js';

/** The role the README asks for: VMC has no read-only service role, and this one cannot delete. */
export const VMC_ROLE_NAME = 'VMware Cloud on AWS → Administrator (Delete Restricted)';

/** What the hint depends on. */
export interface DiagnoseContext {
  /** The org the call was about (`''` for the credentials and the org list). */
  readonly org: string;
  /** Claims of the token the call used, when it was a JWT. */
  readonly claims: TokenClaims | undefined;
  /** `oauth` or `api-token`. */
  readonly auth: 'oauth' | 'api-token';
  /** True when the exporter asks CSP for one token per org (`--vmc.org` with an OAuth app). */
  readonly perOrg: boolean;
  /** The collector the call belongs to, with its 403 hint; undefined for the org list. */
  readonly collector?: { readonly name: string; readonly forbiddenHint?: string };
  /** The VMC base URL, for network failures. */
  readonly vmcUrl: string;
}

/** The result column for a failure: `HTTP 403`, `timeout`, `network`, … */
export function failureResult(err: unknown): string {
  if (err instanceof UpstreamError) return err.status !== undefined ? `HTTP ${err.status}` : err.failure;
  return 'error';
}

/** The way around a failing collector, or around the org list. */
function turnOff(ctx: DiagnoseContext): string {
  if (ctx.collector) return `; or turn the collector off with --no-collector.${ctx.collector.name}`;
  return '; or name the orgs with --vmc.org (no org list then)';
}

/**
 * The hint for a failed VMC call.
 *
 * @param err - what the call threw
 * @param ctx - the org, the token's claims, the credentials, the collector
 */
export function diagnoseVmcFailure(err: unknown, ctx: DiagnoseContext): string {
  if (!(err instanceof UpstreamError)) return 'unexpected error: see the message';
  const where = ctx.org === '' ? 'its own org' : `org ${ctx.org}`;
  if (err.failure === 'timeout' || err.failure === 'network') {
    return `cannot reach VMC at ${ctx.vmcUrl}: check HTTPS_PROXY / NO_PROXY, DNS and the firewall, or raise --vmc.timeout`;
  }
  if (err.failure === 'malformed' || err.failure === 'too-large') return `VMC answered with a body the exporter cannot use${turnOff(ctx)}`;
  if (err.status === 403) {
    const claims = ctx.claims;
    if (claims?.org !== undefined && ctx.org !== '' && claims.org !== ctx.org) {
      const why =
        ctx.auth === 'api-token'
          ? 'an API token covers its own org only: use an OAuth app added to every org, with --vmc.org'
          : 'a token without orgId covers the app\'s own org only: name every org with --vmc.org';
      return `the token is for org ${claims.org}, not ${ctx.org}: ${why}`;
    }
    if (claims !== undefined && !claims.perms.some(isVmcServiceRole)) {
      return `no VMC service role in ${where}: give the ${ctx.auth === 'oauth' ? 'OAuth app' : "API token's user"} "${VMC_ROLE_NAME}" there${turnOff(ctx)}`;
    }
    const needs = ctx.collector?.forbiddenHint ?? `the service role "${VMC_ROLE_NAME}"`;
    return `the roles of the token (${claims ? claims.perms.join(', ') || 'none' : 'unknown'}) do not allow this call; it likely needs ${needs}${turnOff(ctx)}`;
  }
  if (err.status === 401) return 'VMC refused the access token: is --vmc.url the VMC of the same cloud as --csp.url?';
  if (err.status === 404) return `VMC does not know ${where}: check the org id (--vmc.org) and --vmc.url`;
  if (err.status === 429 || (err.status ?? 0) >= 500) return 'VMC is failing or limiting requests: try again later';
  return `VMC refused the call${turnOff(ctx)}`;
}

/**
 * The hint for a failed token request.
 *
 * @param err - what the token request threw
 * @param ctx - the org (`''` for the token without orgId) and the credentials
 * @param cspUrl - the CSP base URL, for network failures
 * @param appWorks - true when CSP already gave the same credentials a token without orgId
 */
export function diagnoseTokenFailure(err: unknown, ctx: Pick<DiagnoseContext, 'org' | 'auth'>, cspUrl: string, appWorks: boolean): string {
  if (err instanceof CredentialsRejectedError) {
    if (ctx.auth === 'api-token') return 'CSP rejected the API token: it is mistyped, expired or revoked; generate a new one (VMC_API_TOKEN or --auth.api-token-file)';
    if (appWorks && ctx.org !== '') {
      return `app not added to org ${ctx.org}: in that org, add the OAuth app (Organization → OAuth Apps) with the Organization Member role and "${VMC_ROLE_NAME}"`;
    }
    return 'CSP rejected the app id or secret: check VMC_CLIENT_ID (--auth.client-id) and the secret (VMC_CLIENT_SECRET or --auth.client-secret-file); a regenerated secret replaces the old one';
  }
  if (err instanceof UpstreamError && (err.failure === 'timeout' || err.failure === 'network')) {
    return `cannot reach CSP at ${cspUrl}: check HTTPS_PROXY / NO_PROXY, DNS and the firewall`;
  }
  if (err instanceof UpstreamError && (err.status === 429 || (err.status ?? 0) >= 500)) return 'CSP is failing or limiting requests: try again later';
  return 'CSP did not hand out a token: see the message';
}
