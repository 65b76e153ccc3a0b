import { isAscii } from 'node:buffer';
import { request, type Dispatcher } from 'undici';
import type { Clock } from '../lib/clock.js';
import type { SecretRegistry } from '../lib/secrets.js';
import { parseErrorBody } from './parse-error-body.js';
import { ExporterError } from '../lib/errors.js';
import { UpstreamError } from './errors.js';

/**
 * Receives every attempt's outcome. The exporter's self-metrics implement it
 * (`vmc_api_requests_total`, `vmc_api_request_duration_seconds`).
 */
export interface RequestObserver {
  /**
   * One attempt ended.
   * @param endpoint - the `endpoint` label (`token`, `sddcs`, …)
   * @param code - HTTP status, or `timeout`, `network`, `too_large`, `malformed`, `aborted`
   * @param seconds - how long the attempt took
   */
  requestDone(endpoint: string, code: string, seconds: number): void;
}

/** One request to CSP or VMC. */
export interface UpstreamRequest {
  /** The `endpoint` label of the request metrics, e.g. `sddcs`. */
  readonly endpoint: string;
  /** `GET` or `POST`. */
  readonly method: 'GET' | 'POST';
  /** Absolute URL. */
  readonly url: string;
  /** Request headers (may carry credentials: never logged). */
  readonly headers: Record<string, string>;
  /** Form body for POST. */
  readonly body?: string;
  /** Aborts the request (shutdown). */
  readonly signal?: AbortSignal | undefined;
  /** Upper bound for this attempt, in ms. */
  readonly timeoutMs: number;
}

/** A successful (2xx) answer, body already read and parsed as JSON. */
export interface UpstreamResponse<T = unknown> {
  /** HTTP status. */
  readonly status: number;
  /** The JSON body, through the request's `parse` when it has one. */
  readonly json: T;
  /** Size of the body in bytes. */
  readonly bytes: number;
}

/** Dependencies of {@link HttpClient}. */
export interface HttpClientOptions {
  /** undici dispatcher (an Agent, a proxy agent, or a MockAgent in tests). */
  readonly dispatcher: Dispatcher;
  /** Told about every attempt (request metrics). */
  readonly observer: RequestObserver;
  /** Scrubs secrets out of upstream error messages. */
  readonly secrets: SecretRegistry;
  /** For durations and Retry-After dates. */
  readonly clock: Clock;
  /** Largest body accepted, in bytes. @default 16 MiB */
  readonly maxBodyBytes?: number;
}

/**
 * Default body limit, 16 MiB: several times the largest real org (an SDDC with 16 hosts is
 * about 20 KB of JSON, so 500 such SDDCs fit), small enough that a runaway body cannot make
 * the process balloon.
 */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * Sends one request and turns every outcome into either a parsed JSON body or an
 * {@link UpstreamError}: HTTP errors (with the upstream's own error message, scrubbed),
 * timeouts, network errors, bodies over the size limit and malformed JSON. Each attempt is
 * counted in `vmc_api_requests_total` and timed in `vmc_api_request_duration_seconds`.
 */
export class HttpClient {
  readonly #opts: HttpClientOptions;
  readonly #maxBody: number;

  /** @param opts - dispatcher, observer, secret scrubber, clock */
  constructor(opts: HttpClientOptions) {
    this.#opts = opts;
    this.#maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  }

  /**
   * Sends `req`; resolves with the JSON body of a 2xx answer, else rejects with
   * UpstreamError. With `parse`, the body must also have the shape `parse` expects: when
   * it throws, the attempt fails as `malformed` (and is counted so), not as a success.
   */
  async send<T = unknown>(req: UpstreamRequest, parse?: (json: unknown) => T): Promise<UpstreamResponse<T>> {
    const { observer } = this.#opts;
    const started = performance.now();
    let code = 'network';
    try {
      const res = await this.#attempt(req);
      if (parse === undefined) {
        code = String(res.status);
        return res as UpstreamResponse<T>;
      }
      let json: T;
      try {
        json = parse(res.json);
      } catch (err) {
        if (!(err instanceof ExporterError)) throw err;
        throw new UpstreamError('malformed', `${describe(req)}: HTTP ${res.status} with a body of the wrong shape: ${err.message}`, { cause: err });
      }
      code = String(res.status);
      return { ...res, json };
    } catch (err) {
      if (err instanceof UpstreamError) code = err.status !== undefined ? String(err.status) : err.failure.replace('-', '_');
      throw err;
    } finally {
      observer.requestDone(req.endpoint, code, (performance.now() - started) / 1000);
    }
  }

  async #attempt(req: UpstreamRequest): Promise<UpstreamResponse> {
    const what = describe(req);
    if (req.signal?.aborted) throw new UpstreamError('aborted', `${what}: aborted before it was sent`);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, req.timeoutMs);
    const onAbort = (): void => controller.abort();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const res = await request(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        dispatcher: this.#opts.dispatcher,
        signal: controller.signal,
        // Our own timer decides (undici's timers tick coarsely, up to ~1 s late or early);
        // undici's are only a backstop.
        headersTimeout: req.timeoutMs + 2_000,
        bodyTimeout: req.timeoutMs + 2_000,
      });
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > this.#maxBody) {
        res.body.destroy();
        throw new UpstreamError('too-large', `${what}: body of ${declared} bytes is over the ${this.#maxBody}-byte limit`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > this.#maxBody) {
          res.body.destroy();
          throw new UpstreamError('too-large', `${what}: body over the ${this.#maxBody}-byte limit`);
        }
        chunks.push(chunk as Buffer);
      }
      const text = decode(Buffer.concat(chunks, size));
      if (res.statusCode < 200 || res.statusCode > 299) throw this.#httpError(req, res.statusCode, res.headers, text);
      try {
        return { status: res.statusCode, json: JSON.parse(text) as unknown, bytes: size };
      } catch {
        throw new UpstreamError('malformed', `${what}: HTTP ${res.statusCode} with a body that is not valid JSON (${size} bytes)`);
      }
    } catch (err) {
      if (err instanceof UpstreamError) throw err;
      if (timedOut || isUndiciTimeout(err)) throw new UpstreamError('timeout', `${what}: no complete answer within ${formatSeconds(req.timeoutMs)}`, { cause: err });
      if (req.signal?.aborted) throw new UpstreamError('aborted', `${what}: aborted`, { cause: err });
      throw new UpstreamError('network', `${what}: ${networkReason(err)}`, { cause: err });
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
    }
  }

  #httpError(req: UpstreamRequest, status: number, headers: Record<string, string | string[] | undefined>, text: string): UpstreamError {
    const parsed = parseErrorBody(text);
    const upstreamCode = parsed.code ? this.#opts.secrets.scrub(parsed.code) : undefined;
    const upstreamMessage = parsed.message ? this.#opts.secrets.scrub(parsed.message) : undefined;
    const detail = [upstreamCode, upstreamMessage].filter(Boolean).join(': ');
    const retryAfterMs = parseRetryAfter(headers['retry-after'], this.#opts.clock.now());
    return new UpstreamError('http', `${describe(req)}: HTTP ${status}${detail ? ` (${detail})` : ''}`, {
      status,
      retryAfterMs,
      ...(upstreamCode ? { upstreamCode } : {}),
      ...(upstreamMessage ? { upstreamMessage } : {}),
    });
  }
}

/**
 * The body as text. JSON from VMC is nearly always pure ASCII, and for ASCII bytes Latin-1
 * decoding gives the same string as UTF-8 without validating every byte (several times
 * faster on a body of megabytes).
 */
export function decode(body: Buffer): string {
  return isAscii(body) ? body.toString('latin1') : body.toString('utf8');
}

/** `GET https://host/path` without query string (paths carry org ids only, never secrets). */
function describe(req: UpstreamRequest): string {
  const url = new URL(req.url);
  return `${req.method} ${url.origin}${url.pathname}`;
}

function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10}s`;
}

/** undici's own headers/body timeouts (a backstop behind our timer) are timeouts too. */
function isUndiciTimeout(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
}

/** A short reason for a network error: its code (ECONNREFUSED, UND_ERR_SOCKET, …) and message. */
function networkReason(err: unknown): string {
  if (!(err instanceof Error)) return 'request failed';
  const code = (err as { code?: unknown }).code;
  const cause = err.cause instanceof Error ? err.cause : undefined;
  const causeCode = cause ? (cause as { code?: unknown }).code : undefined;
  const bits = [typeof causeCode === 'string' ? causeCode : typeof code === 'string' ? code : '', cause?.message ?? err.message];
  return bits.filter(Boolean).join(' ') || 'request failed';
}

/**
 * Parses a `Retry-After` header: delta-seconds or an HTTP date. Returns ms from `now`,
 * or undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw.trim() === '') return undefined;
  const trimmed = raw.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
