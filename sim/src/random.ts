/**
 * Randomness for the simulator: a small seeded generator for deterministic estates, and
 * cryptographic randomness for the values that play the part of secrets.
 */
import { randomBytes, randomUUID } from 'node:crypto';

/**
 * A deterministic pseudo-random generator (mulberry32). Not cryptographic: it only makes
 * generated estates repeatable for a given seed.
 */
export class Prng {
  #state: number;

  /** @param seed - any integer; the same seed gives the same sequence. */
  constructor(seed: number) {
    this.#state = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  }

  /** The next unsigned 32-bit integer. */
  next32(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in `[0, 1)`. */
  float(): number {
    return this.next32() / 4294967296;
  }

  /** An integer in `[0, n)`; `n` must be a positive integer. */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new RangeError('pick() from an empty array');
    return item;
  }

  /** A random-looking version-4 UUID string. */
  uuid(): string {
    const a = hex8(this.next32());
    const b = hex8(this.next32());
    const c = hex8(this.next32());
    const d = hex8(this.next32());
    const variant = '89ab'[this.next32() & 3] ?? '8';
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4, 8)}${d}`;
  }

  /** `len` lowercase hex characters. */
  hex(len: number): string {
    let out = '';
    while (out.length < len) out += hex8(this.next32());
    return out.slice(0, len);
  }
}

/** Formats an unsigned 32-bit integer as 8 hex digits. */
function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/**
 * A fresh random secret value from `crypto.randomBytes`, e.g. `simpw-Xk3…`. Used for the
 * password fields of SDDC JSON so that tests can prove none of them leaks.
 *
 * @param prefix - prepended to the random part (default `simpw-`)
 * @param bytes - random bytes before base64url encoding (default 12)
 */
export function randomSecret(prefix = 'simpw-', bytes = 12): string {
  return prefix + randomBytes(bytes).toString('base64url');
}

/** `bytes` cryptographically random bytes as lowercase hex. */
export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** A cryptographically random version-4 UUID. */
export function randomUuid(): string {
  return randomUUID();
}
