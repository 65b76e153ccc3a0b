/**
 * The simulator's HTTP control API under `/_sim/`: counters, faults, token revocation,
 * secrets and estate mutations, JSON in and out (see docs/fragments/simulator.md).
 */
import type { IncomingMessage } from 'node:http';
import { type Estate, type JsonObject, SimNotFoundError } from './estate.js';
import { type FaultRegistry, FaultValidationError, parseFault } from './faults.js';
import { readBody } from './request-body.js';
import { type Answer, jsonAnswer } from './responses.js';
import type { SimulatorStats } from './stats.js';

/** What the control API acts on. */
export interface ControlDeps {
  /** Request counters (`GET stats`, `POST reset-stats`). */
  readonly stats: SimulatorStats;
  /** Active faults (`GET faults`, `POST faults`). */
  readonly faults: FaultRegistry;
  /** The estate (`GET orgs` and the mutations). */
  readonly estate: Estate;
  /** Largest accepted request body, in bytes. */
  readonly maxBodyBytes: number;
  /** Clears every fault and releases hung requests (`DELETE faults`). */
  readonly clearFaults: () => void;
  /** Revokes every issued access token (`POST revoke-tokens`). */
  readonly revokeTokens: () => void;
  /** Every secret the simulator knows (`GET secrets`). */
  readonly secrets: () => string[];
}

class BadControlInput extends Error {}

function stateOf(body: unknown): string {
  const state = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['state'] : undefined;
  if (typeof state !== 'string' || state === '') throw new BadControlInput('body must be {"state": "<STATE>"}');
  return state;
}

/**
 * Answers a control-API request: 200/201 on success, 400 for bad input, 404 for an unknown
 * endpoint or entity, 413 for a body over the limit.
 *
 * @param deps - what the control API acts on
 * @param req - the request (its JSON body is read unless GET/HEAD)
 * @param seg - the decoded path segments after `_sim`
 */
export async function controlAnswer(deps: ControlDeps, req: IncomingMessage, seg: readonly string[]): Promise<Answer> {
  const { stats, faults, estate } = deps;
  const method = req.method ?? 'GET';
  const path = `/_sim/${seg.join('/')}`;
  const ok = jsonAnswer(200, { ok: true });
  const raw = method === 'GET' || method === 'HEAD' ? Buffer.alloc(0) : await readBody(req, deps.maxBodyBytes);
  if (raw === undefined) return jsonAnswer(413, { error: 'request body too large' });
  let body: unknown;
  if (raw.length > 0) {
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return jsonAnswer(400, { error: 'body is not JSON' });
    }
  }
  // Segments after `orgs`, `sddcs` and `hosts` are ids: match them as `*`.
  const shape = seg.map((s, i) => (i > 0 && ['orgs', 'sddcs', 'hosts'].includes(seg[i - 1] ?? '') ? '*' : s));
  const key = `${method} ${shape.join('/')}`;
  try {
    switch (key) {
      case 'GET stats':
        return jsonAnswer(200, stats.toJSON());
      case 'POST reset-stats':
        stats.reset();
        return ok;
      case 'GET faults':
        return jsonAnswer(200, faults.list());
      case 'POST faults':
        faults.add(parseFault(body));
        return jsonAnswer(201, { ok: true, faults: faults.list().length });
      case 'DELETE faults':
        deps.clearFaults();
        return ok;
      case 'POST revoke-tokens':
        deps.revokeTokens();
        return ok;
      case 'GET secrets':
        return jsonAnswer(200, { secrets: deps.secrets() });
      case 'GET orgs':
        return jsonAnswer(200, estate.orgs());
      case 'PUT orgs/*/sddcs/*/state':
        estate.setSddcState(seg[1] ?? '', seg[3] ?? '', stateOf(body));
        return ok;
      case 'PUT orgs/*/sddcs/*/hosts/*/state':
        estate.setHostState(seg[1] ?? '', seg[3] ?? '', seg[5] ?? '', stateOf(body));
        return ok;
      case 'DELETE orgs/*/sddcs/*':
        estate.removeSddc(seg[1] ?? '', seg[3] ?? '');
        return ok;
      case 'POST orgs/*/sddcs':
        if (typeof body !== 'object' || body === null || Array.isArray(body)) return jsonAnswer(400, { error: 'body must be an SDDC JSON object' });
        estate.addSddc(seg[1] ?? '', body as JsonObject);
        return jsonAnswer(201, { ok: true });
      default:
        return jsonAnswer(404, { error: `no control endpoint ${method} ${path}` });
    }
  } catch (err) {
    if (err instanceof SimNotFoundError) return jsonAnswer(404, { error: err.message });
    if (err instanceof FaultValidationError || err instanceof BadControlInput) return jsonAnswer(400, { error: err.message });
    throw err;
  }
}
