/** Bounds how many async tasks run at once (`--vmc.concurrency` bounds VMC requests with it). */
export class Semaphore {
  #free: number;
  readonly #waiting: Array<() => void> = [];

  /** @param limit - tasks allowed at once (at least 1) */
  constructor(limit: number) {
    this.#free = Math.max(1, limit);
  }

  /** Runs `task` once a slot is free, releasing the slot when it settles. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }
}
