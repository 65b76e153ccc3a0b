/**
 * Wire formats of the simulator's answers: CSP and VMC error bodies, and the delivery of
 * an answer normally or broken by a fault (malformed, truncated, oversized, trickled...).
 */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { FaultKind } from './faults.js';
import { randomHex } from './random.js';

/** A complete answer before delivery. */
export interface Answer {
  /** HTTP status. */
  status: number;
  /** Response headers (lower-case names); Content-Length is set at delivery. */
  headers: Record<string, string>;
  /** Body bytes. */
  body: Buffer;
}

const JSON_TYPE = 'application/json';

/** A JSON answer. */
export function jsonAnswer(status: number, value: unknown, headers: Record<string, string> = {}): Answer {
  return { status, headers: { 'content-type': JSON_TYPE, ...headers }, body: Buffer.from(JSON.stringify(value)) };
}

/**
 * A CSP error answer: `{statusCode, cspErrorCode, message, moduleCode, requestId, traceId,
 * metadata}` with fresh random request and trace ids.
 */
export function cspError(status: number, cspErrorCode: string, message: string, moduleCode: number | string): Answer {
  return jsonAnswer(status, {
    statusCode: status,
    cspErrorCode,
    message,
    moduleCode,
    requestId: randomHex(8),
    traceId: randomHex(16),
    metadata: null,
  });
}

/** A VMC `ErrorResponse` answer: `{status, path, retryable, error_code, error_messages}`. */
export function vmcError(status: number, path: string, errorCode: string, message: string, headers: Record<string, string> = {}): Answer {
  return jsonAnswer(
    status,
    { status, path, retryable: status === 429 || status >= 500, error_code: errorCode, error_messages: [message] },
    headers,
  );
}

/** The default body of a fault that replaces the status, in the endpoint family's shape. */
export function faultStatusAnswer(family: 'csp' | 'vmc', status: number, path: string): Answer {
  const reason = STATUS_CODES[status] ?? 'Unknown';
  if (family === 'csp') return cspError(status, `999.${status}`, `${reason}`, 999);
  return vmcError(status, path, reason.toLowerCase().replace(/[^a-z0-9]+/g, '_'), reason);
}

const MALFORMED = Buffer.from('{"status": "ok", "data": [{"id": "5dd0", "sddc_state": READY,, }');

/** Valid JSON of the wrong shape for `body` (see `FaultKind` `wrong-types`). */
export function wrongTypes(body: Buffer): Buffer {
  const text = body.toString('utf8').trimStart();
  if (text.startsWith('[')) {
    return Buffer.concat([Buffer.from('{"data":'), body, Buffer.from(',"count":"many","page":null}')]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return Buffer.from('{"unexpected":true}');
  }
  if (typeof value !== 'object' || value === null) return Buffer.from('{"unexpected":true}');
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'number') out[key] = String(v);
    else if (typeof v === 'string') out[key] = v.length;
    else if (typeof v === 'boolean') out[key] = v ? 'yes' : 'no';
    else out[key] = v;
  }
  return Buffer.from(JSON.stringify(out));
}

/** Extra bytes an `oversized` fault adds to the real body. */
export const OVERSIZE_EXTRA_BYTES = 20 * 1024 * 1024;

const FILLER = Buffer.alloc(64 * 1024, 'x');

/** Writes `chunk`, waiting for `drain` when the socket buffer is full. False if the response died. */
async function write(res: ServerResponse, chunk: Buffer): Promise<boolean> {
  if (res.destroyed) return false;
  if (!res.write(chunk)) {
    await new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  }
  return !res.destroyed;
}

/**
 * Streams the answer's body extended to about {@link OVERSIZE_EXTRA_BYTES} more bytes of
 * valid-looking JSON: extra padding SDDC-like elements for arrays, a `padding` string field
 * for objects, trailing whitespace otherwise. Chunked, no Content-Length.
 */
async function writeOversized(res: ServerResponse, answer: Answer): Promise<void> {
  res.writeHead(answer.status, answer.headers);
  const text = answer.body.toString('utf8').trimEnd();
  const isArray = text.startsWith('[') && text.endsWith(']');
  const isObject = text.startsWith('{') && text.endsWith('}');
  let sent = 0;
  if (isArray || isObject) {
    const head = Buffer.from(text.slice(0, -1));
    const empty = text.slice(1, -1).trim() === '';
    if (!(await write(res, head))) return;
    if (isObject) {
      if (!(await write(res, Buffer.from(`${empty ? '' : ','}"padding":"`)))) return;
      while (sent < OVERSIZE_EXTRA_BYTES) {
        if (!(await write(res, FILLER))) return;
        sent += FILLER.length;
      }
      if (!(await write(res, Buffer.from('"}')))) return;
    } else {
      let i = 0;
      while (sent < OVERSIZE_EXTRA_BYTES) {
        const prefix = `${empty && i === 0 ? '' : ','}{"id":"pad-${String(i).padStart(6, '0')}","name":"oversized-padding","sddc_state":"READY","resource_config":{"padding":"`;
        i++;
        if (!(await write(res, Buffer.from(prefix)))) return;
        if (!(await write(res, FILLER))) return;
        if (!(await write(res, Buffer.from('"}}')))) return;
        sent += FILLER.length + prefix.length + 3;
      }
      if (!(await write(res, Buffer.from(']')))) return;
    }
  } else {
    if (!(await write(res, answer.body))) return;
    const spaces = Buffer.alloc(FILLER.length, ' ');
    while (sent < OVERSIZE_EXTRA_BYTES) {
      if (!(await write(res, spaces))) return;
      sent += spaces.length;
    }
  }
  res.end();
}

/** Options of {@link deliver}. */
export interface DeliverOptions {
  /** How to break the delivery; undefined = normal. (`reset`/`hang` are handled earlier.) */
  readonly kind?: FaultKind;
  /** `trickle`: bytes per write. */
  readonly trickleBytes: number;
  /** `trickle`: ms between writes. */
  readonly trickleIntervalMs: number;
  /** HEAD requests get no body. */
  readonly head?: boolean;
}

/** Sends an answer, broken as `opts.kind` says. Resolves when done or the client left. */
export async function deliver(req: IncomingMessage, res: ServerResponse, answer: Answer, opts: DeliverOptions): Promise<void> {
  if (res.destroyed) return;
  switch (opts.kind) {
    case 'empty':
      res.writeHead(answer.status, { ...answer.headers, 'content-length': '0' });
      res.end();
      return;
    case 'malformed':
      sendWhole(res, { ...answer, body: MALFORMED }, opts.head);
      return;
    case 'wrong-types':
      sendWhole(res, { ...answer, body: wrongTypes(answer.body) }, opts.head);
      return;
    case 'truncated': {
      res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
      const half = answer.body.subarray(0, Math.floor(answer.body.length / 2));
      res.write(half, () => req.socket.destroy());
      return;
    }
    case 'oversized':
      await writeOversized(res, answer);
      return;
    case 'trickle':
      await trickle(res, answer, opts.trickleBytes, opts.trickleIntervalMs);
      return;
    default:
      sendWhole(res, answer, opts.head);
  }
}

function sendWhole(res: ServerResponse, answer: Answer, head = false): void {
  res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
  res.end(head ? undefined : answer.body);
}

/** Headers at once, then `bytes` bytes of the body every `intervalMs` until done or closed. */
function trickle(res: ServerResponse, answer: Answer, bytes: number, intervalMs: number): Promise<void> {
  res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
  res.flushHeaders();
  return new Promise((resolve) => {
    let offset = 0;
    const step = () => {
      if (res.destroyed) return stop();
      const chunk = answer.body.subarray(offset, offset + bytes);
      offset += chunk.length;
      if (offset >= answer.body.length) {
        res.end(chunk);
        return stop();
      }
      res.write(chunk);
    };
    const timer = setInterval(step, intervalMs);
    const stop = () => {
      clearInterval(timer);
      res.off('close', stop);
      resolve();
    };
    res.on('close', stop);
    step();
  });
}
