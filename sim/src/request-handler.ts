/**
 * The simulator's request pipeline: parse the path, hand `/_sim/` to the control API, route
 * the rest to a CSP or VMC endpoint, count it, pick a fault, apply latency, `reset` and
 * `hang`, then deliver the real or fault answer (see `responses.ts`).
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { FaultRegistry } from './faults.js';
import { readBody } from './request-body.js';
import { type Answer, cspError, deliver, faultStatusAnswer, vmcError } from './responses.js';
import { countRequest, type Route, routeOrg } from './route.js';
import type { SimulatorStats } from './stats.js';

/** Delivery options of answers no fault applies to. */
const plain = { trickleBytes: 8, trickleIntervalMs: 1000 } as const;

/**
 * Where requests held by a `hang` fault wait: released when faults are cleared (the requests
 * are then answered) or when the simulator closes (they are dropped).
 */
export class HangGate {
  #release: () => void = () => undefined;
  #gate: Promise<void> = this.#newGate();
  #closing = false;

  #newGate(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#release = resolve;
    });
  }

  /** Releases the requests held so far; later `hang` requests wait for the next release. */
  release(): void {
    this.#release();
    this.#gate = this.#newGate();
  }

  /** Releases every held request for good, without answering them. */
  close(): void {
    this.#closing = true;
    this.#release();
  }

  /** Holds a request until released (true) or the client/server goes away (false). */
  hold(res: ServerResponse): Promise<boolean> {
    return new Promise((resolve) => {
      const onClose = () => resolve(false);
      res.once('close', onClose);
      void this.#gate.then(() => {
        res.off('close', onClose);
        resolve(!res.destroyed && !this.#closing);
      });
    });
  }
}

/** Waits `ms` real milliseconds; false when the client went away (or the server closed). */
function pause(res: ServerResponse, ms: number): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(!res.destroyed);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      res.off('close', onClose);
      resolve(ok);
    };
    const onClose = () => done(false);
    const timer = setTimeout(() => done(!res.destroyed), ms);
    res.once('close', onClose);
  });
}

/** What the pipeline needs. */
export interface HandlerDeps {
  /** Request counters. */
  readonly stats: SimulatorStats;
  /** Active faults. */
  readonly faults: FaultRegistry;
  /** Where `hang` requests wait. */
  readonly hangs: HangGate;
  /** Fixed delay added to every VMC answer, in real milliseconds. */
  readonly latencyMs: number;
  /** Largest accepted request body, in bytes. */
  readonly maxBodyBytes: number;
  /** Routes an API request to its endpoint, or answers it (404, 405). */
  readonly route: (req: IncomingMessage, url: URL, segments: readonly string[]) => Route | Answer;
  /** Answers `/_sim/` requests (given the segments after `_sim`); undefined = no control API. */
  readonly control: ((req: IncomingMessage, segments: readonly string[]) => Promise<Answer>) | undefined;
}

async function handle(deps: HandlerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { stats } = deps;
  let url: URL;
  let segments: string[];
  try {
    url = new URL(req.url ?? '/', 'http://sim.invalid');
    segments = url.pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
  } catch {
    await deliver(req, res, vmcError(400, '/', 'invalid_request', 'Bad request path'), plain);
    return;
  }
  if (deps.control !== undefined && segments[0] === '_sim') {
    await deliver(req, res, await deps.control(req, segments.slice(1)), plain);
    return;
  }
  stats.logRequest(req.method ?? 'GET', url.pathname);
  const routed = deps.route(req, url, segments);
  if (!('run' in routed)) {
    stats.unknownRequests++;
    req.resume();
    await deliver(req, res, routed, plain);
    return;
  }
  const raw = req.method === 'POST' ? await readBody(req, deps.maxBodyBytes) : Buffer.alloc(0);
  if (raw === undefined) {
    await deliver(req, res, cspError(413, '250.413', 'Request entity too large', 250), plain);
    return;
  }
  const form = new URLSearchParams(raw.toString('utf8'));
  countRequest(stats, routed, form, segments);
  const fault = deps.faults.take(routed.endpoint, routeOrg(routed, form));
  if (fault) stats.faultsApplied++;
  if (routed.family === 'vmc' && !(await pause(res, deps.latencyMs))) return;
  if (fault?.latencyMs !== undefined && !(await pause(res, fault.latencyMs))) return;
  if (fault?.kind === 'reset') {
    req.socket.resetAndDestroy();
    return;
  }
  if (fault?.kind === 'hang' && !(await deps.hangs.hold(res))) return;
  let answer: Answer;
  if (fault?.status !== undefined) {
    answer = faultStatusAnswer(routed.family, fault.status, url.pathname);
    if (fault.body !== undefined) answer.body = Buffer.from(fault.body);
  } else {
    answer = routed.run(form, raw);
  }
  if (fault?.headers) for (const [k, v] of Object.entries(fault.headers)) answer.headers[k.toLowerCase()] = v;
  await deliver(req, res, answer, {
    ...(fault?.kind === undefined || fault.kind === 'hang' ? {} : { kind: fault.kind }),
    trickleBytes: fault?.trickleBytes ?? 8,
    trickleIntervalMs: fault?.trickleIntervalMs ?? 1000,
    head: req.method === 'HEAD',
  });
}

/**
 * The `http.Server` request listener of the simulator. A request whose handling throws is
 * answered 500 (VMC error shape) if nothing was sent yet, else its response is destroyed.
 */
export function requestListener(deps: HandlerDeps): RequestListener {
  return (req, res) => {
    handle(deps, req, res).catch(() => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"status":500,"error_code":"internal","error_messages":["simulator error"],"retryable":true}');
      } else {
        res.destroy();
      }
    });
  };
}
