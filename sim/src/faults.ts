/**
 * Fault injection for the simulator: what a fault is, how one is validated (control API
 * input) and the ordered registry that picks the fault for a request.
 */

/** Endpoints a fault can target. `any` matches every simulated API endpoint (not `/_sim/`). */
export const FAULT_ENDPOINTS = [
  'token',
  'api-token',
  'api-token-details',
  'orgs',
  'sddcs',
  'maintenance',
  'tasks',
  'subscriptions',
  'edrs',
  'aws-link',
  'any',
] as const;

/** One of {@link FAULT_ENDPOINTS}. */
export type FaultEndpoint = (typeof FAULT_ENDPOINTS)[number];

/** The API endpoint a request was routed to. */
export type SimEndpoint = Exclude<FaultEndpoint, 'any'>;

/** Ways to break a response beyond replacing its status. */
export const FAULT_KINDS = ['malformed', 'truncated', 'wrong-types', 'oversized', 'trickle', 'reset', 'hang', 'empty'] as const;

/**
 * One of {@link FAULT_KINDS}:
 * - `malformed`: the body is replaced by invalid JSON;
 * - `truncated`: headers announce the full length, half the body is sent, then the socket is
 *   closed (the client sees a premature end of body);
 * - `wrong-types`: valid JSON of the wrong shape (an object instead of an array; strings
 *   where numbers go and a number where a string goes in token answers);
 * - `oversized`: the real body extended into a valid-looking JSON body about 20 MiB larger,
 *   streamed chunked (no Content-Length);
 * - `trickle`: headers at once, then the body a few bytes per interval;
 * - `reset`: the socket is reset without any answer;
 * - `hang`: no answer until the fault is cleared (then the request is answered normally) or
 *   the simulator closes;
 * - `empty`: the status and headers with an empty body.
 */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** A fault to inject into matching requests. */
export interface Fault {
  /** Which endpoint it applies to. */
  readonly endpoint: FaultEndpoint;
  /**
   * Only requests about this org: the `{org}` path segment of VMC requests (single-org
   * `orgs`, `sddcs`, `maintenance`, `tasks`, `subscriptions`, `edrs`, `aws-link`), the
   * `orgId` form field for `token`. Requests without an org never match a fault that has one.
   */
  readonly org?: string;
  /** Replace the answer's status (the real handler does not run). */
  readonly status?: number;
  /** Body for a replaced status; default: an error body in the endpoint's usual shape. */
  readonly body?: string;
  /** Extra response headers, e.g. `{ "Retry-After": "3" }`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Delay before answering, in real milliseconds. */
  readonly latencyMs?: number;
  /** How to break the delivery (see {@link FaultKind}). */
  readonly kind?: FaultKind;
  /** Number of requests it applies to before it is removed; absent = until cleared. */
  readonly times?: number;
  /** `trickle` only: bytes per write. @default 8 */
  readonly trickleBytes?: number;
  /** `trickle` only: ms between writes. @default 1000 */
  readonly trickleIntervalMs?: number;
}

/** Thrown by {@link parseFault} with a one-line reason. */
export class FaultValidationError extends Error {
  /** @param message - what is wrong with the fault */
  constructor(message: string) {
    super(message);
    this.name = 'FaultValidationError';
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalInt(raw: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const v = raw[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new FaultValidationError(`${key} must be an integer in [${min}, ${max}]`);
  }
  return v;
}

/** Validates an untrusted value (e.g. control-API JSON) as a {@link Fault}. */
export function parseFault(raw: unknown): Fault {
  if (!isRecord(raw)) throw new FaultValidationError('a fault must be a JSON object');
  const known = new Set(['endpoint', 'org', 'status', 'body', 'headers', 'latencyMs', 'kind', 'times', 'trickleBytes', 'trickleIntervalMs']);
  for (const key of Object.keys(raw)) if (!known.has(key)) throw new FaultValidationError(`unknown fault field ${JSON.stringify(key)}`);
  const endpoint = raw['endpoint'];
  if (typeof endpoint !== 'string' || !(FAULT_ENDPOINTS as readonly string[]).includes(endpoint)) {
    throw new FaultValidationError(`endpoint must be one of ${FAULT_ENDPOINTS.join(', ')}`);
  }
  const kind = raw['kind'];
  if (kind !== undefined && (typeof kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(kind))) {
    throw new FaultValidationError(`kind must be one of ${FAULT_KINDS.join(', ')}`);
  }
  const org = raw['org'];
  if (org !== undefined && typeof org !== 'string') throw new FaultValidationError('org must be a string');
  const body = raw['body'];
  if (body !== undefined && typeof body !== 'string') throw new FaultValidationError('body must be a string');
  const headers = raw['headers'];
  if (headers !== undefined && (!isRecord(headers) || Object.values(headers).some((v) => typeof v !== 'string'))) {
    throw new FaultValidationError('headers must be an object of strings');
  }
  const fault: Fault = {
    endpoint: endpoint as FaultEndpoint,
    ...(org === undefined ? {} : { org }),
    ...(body === undefined ? {} : { body }),
    ...(headers === undefined ? {} : { headers: headers as Record<string, string> }),
    ...(kind === undefined ? {} : { kind: kind as FaultKind }),
  };
  const ints: Array<[keyof Fault & string, number, number]> = [
    ['status', 100, 599],
    ['latencyMs', 0, 600_000],
    ['times', 1, 1_000_000_000],
    ['trickleBytes', 1, 1_048_576],
    ['trickleIntervalMs', 1, 600_000],
  ];
  const out: Record<string, unknown> = { ...fault };
  for (const [key, min, max] of ints) {
    const v = optionalInt(raw, key, min, max);
    if (v !== undefined) out[key] = v;
  }
  return out as unknown as Fault;
}

interface Entry {
  readonly fault: Fault;
  remaining: number | undefined;
}

/** The ordered list of active faults. The first matching fault wins. */
export class FaultRegistry {
  #entries: Entry[] = [];

  /** Appends a fault (validated by the caller). */
  add(fault: Fault): void {
    this.#entries.push({ fault, remaining: fault.times });
  }

  /** Removes every fault. */
  clear(): void {
    this.#entries = [];
  }

  /** Active faults, in match order, with their remaining counts. */
  list(): Array<Fault & { readonly remaining?: number }> {
    return this.#entries.map((e) => ({ ...e.fault, ...(e.remaining === undefined ? {} : { remaining: e.remaining }) }));
  }

  /**
   * Finds the first fault matching a request and consumes one of its `times` (removing it
   * when they run out).
   *
   * @param endpoint - the endpoint the request was routed to
   * @param org - the org the request is about, if any
   */
  take(endpoint: SimEndpoint, org: string | undefined): Fault | undefined {
    const i = this.#entries.findIndex(
      (e) => (e.fault.endpoint === 'any' || e.fault.endpoint === endpoint) && (e.fault.org === undefined || e.fault.org === org),
    );
    const entry = this.#entries[i];
    if (entry === undefined) return undefined;
    if (entry.remaining !== undefined) {
      entry.remaining--;
      if (entry.remaining <= 0) this.#entries.splice(i, 1);
    }
    return entry.fault;
  }
}
