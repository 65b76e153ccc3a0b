/**
 * A fair scheduler for expensive work (bcrypt checks) requested by many clients: each client
 * key (its address) has its own bounded queue, and a free slot goes to the waiting key whose
 * last task started longest ago (a key new to the queue first). So a key flooding requests
 * never delays another key by its backlog: the other key's task is the next one started.
 * Pure: no timers, no I/O.
 */

/** Why a task was refused without being queued. */
export type QueueFullReason =
  /** The key already has `maxQueuedPerKey` tasks waiting or running. */
  | 'key'
  /** `maxKeys` other keys are waiting already. */
  | 'keys';

/** Thrown (as a rejection) when a task cannot be queued. */
export class QueueFullError extends Error {
  /** Which bound was hit. */
  readonly reason: QueueFullReason;

  /** @param reason - which bound was hit */
  constructor(reason: QueueFullReason) {
    super(reason === 'key' ? 'too many checks queued for this client' : 'too many clients waiting');
    this.name = 'QueueFullError';
    this.reason = reason;
  }
}

/** Thrown (as a rejection) when a task's signal aborts before the task started. */
export class QueueAbortedError extends Error {
  constructor() {
    super('aborted while queued');
    this.name = 'QueueAbortedError';
  }
}

/** Bounds of a {@link FairQueue}. */
export interface FairQueueOptions {
  /** Tasks running at the same time (across all keys). */
  readonly concurrency: number;
  /** Tasks one key may have waiting or running; more are refused with reason `key`. */
  readonly maxQueuedPerKey: number;
  /** Keys that may have tasks waiting at the same time; a new one beyond is refused with reason `keys`. */
  readonly maxKeys: number;
}

interface Job {
  readonly start: () => void;
  readonly cancel: () => void;
}

interface KeyState {
  readonly waiting: Job[];
  /** Tasks of this key waiting or running. */
  active: number;
  /** Sequence number of this key's last started task; -1 for none yet. */
  lastStart: number;
}

/** Runs tasks at most `concurrency` at a time, fairly across keys. */
export class FairQueue {
  readonly #o: FairQueueOptions;
  /** Keys with tasks waiting or running (creation order breaks ties). */
  readonly #keys = new Map<string, KeyState>();
  #running = 0;
  #waitingKeys = 0;
  #started = 0;

  /** @param opts - concurrency and queue bounds */
  constructor(opts: FairQueueOptions) {
    this.#o = opts;
  }

  /** Tasks running now. */
  get running(): number {
    return this.#running;
  }

  /** Tasks waiting (not yet started) for `key`, or for all keys. */
  waiting(key?: string): number {
    if (key !== undefined) return this.#keys.get(key)?.waiting.length ?? 0;
    let n = 0;
    for (const s of this.#keys.values()) n += s.waiting.length;
    return n;
  }

  /**
   * Runs `task` for `key` when a slot is free and it is `key`'s turn.
   *
   * @param key - the client (e.g. its address)
   * @param task - the work; started at most once
   * @param signal - aborting it before the task started removes the task from the queue
   * @returns the task's result
   * @throws QueueFullError (at once) when `key`'s queue or the number of waiting keys is full;
   *   QueueAbortedError when `signal` aborts first
   */
  run<T>(key: string, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) return Promise.reject(new QueueAbortedError());
    let state = this.#keys.get(key);
    if (state !== undefined && state.active >= this.#o.maxQueuedPerKey) return Promise.reject(new QueueFullError('key'));
    const mustWait = this.#running >= this.#o.concurrency;
    if (mustWait && (state === undefined || state.waiting.length === 0) && this.#waitingKeys >= this.#o.maxKeys) {
      return Promise.reject(new QueueFullError('keys'));
    }
    if (state === undefined) {
      state = { waiting: [], active: 0, lastStart: -1 };
      this.#keys.set(key, state);
    }
    const s = state;
    s.active++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => job.cancel();
      const job: Job = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          this.#running++;
          s.lastStart = this.#started++;
          let result: Promise<T>;
          try {
            result = task();
          } catch (err) {
            result = Promise.reject(err);
          }
          void result.then(resolve, reject).finally(() => {
            this.#running--;
            s.active--;
            this.#forget(key, s);
            this.#dispatch();
          });
        },
        cancel: () => {
          const i = s.waiting.indexOf(job);
          if (i < 0) return;
          s.waiting.splice(i, 1);
          if (s.waiting.length === 0) this.#waitingKeys--;
          s.active--;
          this.#forget(key, s);
          reject(new QueueAbortedError());
        },
      };
      if (!mustWait && s.waiting.length === 0) {
        job.start();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      if (s.waiting.length === 0) this.#waitingKeys++;
      s.waiting.push(job);
      this.#dispatch();
    });
  }

  /**
   * Starts waiting tasks while slots are free, each time the oldest task of the waiting key
   * whose last task started longest ago (O(keys), and keys are bounded).
   */
  #dispatch(): void {
    while (this.#running < this.#o.concurrency) {
      let next: KeyState | undefined;
      for (const s of this.#keys.values()) {
        if (s.waiting.length > 0 && (next === undefined || s.lastStart < next.lastStart)) next = s;
      }
      if (next === undefined) return;
      const job = next.waiting.shift() as Job;
      if (next.waiting.length === 0) this.#waitingKeys--;
      job.start();
    }
  }

  /** Drops the state of a key with nothing waiting or running. */
  #forget(key: string, s: KeyState): void {
    if (s.active === 0 && s.waiting.length === 0 && this.#keys.get(key) === s) this.#keys.delete(key);
  }
}
