import { ExporterError } from '../lib/errors.js';

/** Why an upstream request failed. */
export type UpstreamFailure = 'http' | 'timeout' | 'network' | 'too-large' | 'malformed' | 'aborted';

/**
 * A failed request to CSP or VMC. The message names the API and path and the cause as an
 * operator would want it; it carries no header, token or body text beyond the parsed
 * (and scrubbed) error message of the upstream.
 */
export class UpstreamError extends ExporterError {
  /** What went wrong. */
  readonly failure: UpstreamFailure;
  /** HTTP status, for `failure === 'http'`. */
  readonly status: number | undefined;
  /** Delay the upstream asked for with `Retry-After`, in ms. */
  readonly retryAfterMs: number | undefined;
  /** The upstream's own error code (`cspErrorCode`, `error_code`), when its body had one. */
  readonly upstreamCode: string | undefined;
  /** The upstream's own error message, scrubbed of secrets, when its body had one. */
  readonly upstreamMessage: string | undefined;

  /**
   * @param failure - category
   * @param message - one line for an operator
   * @param details - status, Retry-After and cause
   */
  constructor(
    failure: UpstreamFailure,
    message: string,
    details: { status?: number; retryAfterMs?: number; upstreamCode?: string; upstreamMessage?: string; cause?: unknown } = {},
  ) {
    super(`UPSTREAM_${failure.toUpperCase().replace('-', '_')}`, message, { cause: details.cause });
    this.failure = failure;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.upstreamCode = details.upstreamCode;
    this.upstreamMessage = details.upstreamMessage;
  }

  /** True for a 401: the access token was not accepted. */
  get unauthorized(): boolean {
    return this.failure === 'http' && this.status === 401;
  }
}
