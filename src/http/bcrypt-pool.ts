/**
 * bcrypt checks off the main thread. bcryptjs is pure JavaScript: a check at cost 10 is about
 * 70-100 ms of CPU, and run on the main thread it stalls every request, cached logins and
 * scrapes included. A small pool of worker threads runs the checks instead; the main thread
 * only posts the password and hash and waits for a boolean.
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Default number of workers: one less than the CPUs, at least 1 and at most 2, so on a
 * 2-core machine bcrypt can take one core while the other keeps serving requests.
 */
export const DEFAULT_BCRYPT_WORKERS = Math.max(1, Math.min(2, availableParallelism() - 1));

/** The worker's code (CommonJS, evaluated): answers `{id, password, hash}` with `{id, ok}`. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.bcryptjs);
parentPort.on('message', (m) => {
  let ok = false;
  try { ok = bcrypt.compareSync(m.password, m.hash); } catch { ok = false; }
  parentPort.postMessage({ id: m.id, ok });
});
`;

interface Pending {
  readonly resolve: (ok: boolean) => void;
  readonly reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  /** The job the worker is running, if any. */
  busy: number | undefined;
}

interface QueuedJob {
  readonly id: number;
  readonly password: string;
  readonly hash: string;
}

/**
 * A fixed set of worker threads running bcryptjs `compareSync`. Jobs beyond the number of
 * idle workers wait in a FIFO (callers that need fairness schedule before calling). Workers
 * start on first use, keep the process alive only while checking, and a worker that dies is
 * replaced (its job rejects).
 */
export class BcryptPool {
  readonly #size: number;
  readonly #slots: Slot[] = [];
  readonly #pending = new Map<number, Pending>();
  readonly #queue: QueuedJob[] = [];
  #nextId = 0;
  #closed = false;

  /** @param size - number of worker threads (at least 1) */
  constructor(size: number = DEFAULT_BCRYPT_WORKERS) {
    this.#size = Math.max(1, Math.floor(size));
  }

  /** Number of worker threads. */
  get size(): number {
    return this.#size;
  }

  /**
   * Checks `password` against a bcrypt `hash` on a worker thread.
   *
   * @returns true when they match; false for a mismatch or an unusable hash
   * @throws Error when the pool is closed or the worker died during the check
   */
  compare(password: string, hash: string): Promise<boolean> {
    if (this.#closed) return Promise.reject(new Error('bcrypt pool is closed'));
    const id = this.#nextId++;
    return new Promise<boolean>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#queue.push({ id, password, hash });
      this.#pump();
    });
  }

  /** Stops the workers; checks in progress reject. */
  async close(): Promise<void> {
    this.#closed = true;
    const slots = this.#slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
    for (const [id, p] of this.#pending) {
      this.#pending.delete(id);
      p.reject(new Error('bcrypt pool is closed'));
    }
    this.#queue.length = 0;
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      let slot = this.#slots.find((s) => s.busy === undefined);
      if (slot === undefined && this.#slots.length < this.#size) slot = this.#spawn();
      if (slot === undefined) return;
      const job = this.#queue.shift() as QueuedJob;
      slot.busy = job.id;
      // Referenced only while busy: an idle pool never keeps the process alive.
      slot.worker.ref();
      slot.worker.postMessage(job);
    }
  }

  #spawn(): Slot {
    const bcryptjs = createRequire(import.meta.url).resolve('bcryptjs');
    // execArgv: [] keeps loaders of the parent (tsx in tests) out of the worker.
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bcryptjs }, execArgv: [] });
    worker.unref();
    const slot: Slot = { worker, busy: undefined };
    worker.on('message', (m: { id: number; ok: boolean }) => {
      const p = this.#pending.get(m.id);
      this.#pending.delete(m.id);
      slot.busy = undefined;
      worker.unref();
      p?.resolve(m.ok === true);
      this.#pump();
    });
    const fail = (err: Error): void => {
      const i = this.#slots.indexOf(slot);
      if (i < 0) return;
      this.#slots.splice(i, 1);
      if (slot.busy !== undefined) {
        const p = this.#pending.get(slot.busy);
        this.#pending.delete(slot.busy);
        p?.reject(err);
      }
      if (!this.#closed) this.#pump();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`bcrypt worker exited with code ${code}`)));
    this.#slots.push(slot);
    return slot;
  }
}

let shared: BcryptPool | undefined;

/** The process-wide pool, created on first use with {@link DEFAULT_BCRYPT_WORKERS} workers. */
export function sharedBcryptPool(): BcryptPool {
  shared ??= new BcryptPool();
  return shared;
}
