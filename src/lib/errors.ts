/**
 * Error classes with stable codes. Messages are written for operators and never carry
 * secrets or raw payloads; callers branch on `code` or `instanceof`, not on text.
 */

/** Base class of every error the exporter raises on purpose. */
export class ExporterError extends Error {
  /** Stable machine-readable code, e.g. `CONFIG`, `UPSTREAM_HTTP`. */
  readonly code: string;

  /**
   * @param code - stable code
   * @param message - one line for an operator
   * @param options - optional `cause`
   */
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A bad flag, environment variable or secret file. The message names it. */
export class ConfigError extends ExporterError {
  /** @param message - one line naming the flag or variable and what is wrong */
  constructor(message: string) {
    super('CONFIG', message);
  }
}

/** An upstream body that could not be read as the expected JSON shape. */
export class MalformedResponseError extends ExporterError {
  /** @param message - what was wrong with the body (no body text) */
  constructor(message: string) {
    super('MALFORMED_RESPONSE', message);
  }
}
