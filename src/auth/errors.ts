import { UpstreamError } from '../upstream/errors.js';

/** CSP refused the credentials themselves (not a transient failure): retrying at once is pointless. */
export class CredentialsRejectedError extends UpstreamError {}
