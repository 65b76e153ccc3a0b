/**
 * A growable byte buffer that takes exposition lines one at a time and encodes each as it
 * comes, so a family's text is never held as one large string before it is encoded.
 */
import type { LineSink } from './text-format.js';

const INITIAL_BYTES = 4096;

/** A {@link LineSink} that encodes every line to UTF-8 at once, into one growing buffer. */
export class ByteSink implements LineSink {
  #buf: Buffer = Buffer.allocUnsafe(INITIAL_BYTES);
  #length = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.#length;
  }

  /** Appends one line's UTF-8 bytes. */
  push(line: string): void {
    // A UTF-16 code unit is at most 3 UTF-8 bytes.
    const room = line.length * 3;
    if (this.#length + room > this.#buf.length) this.#grow(this.#length + room);
    this.#length += this.#buf.write(line, this.#length, 'utf8');
  }

  /** The bytes written, in a buffer of exactly that size (a copy when the buffer has slack). */
  bytes(): Buffer {
    if (this.#length === this.#buf.length) return this.#buf;
    return Buffer.from(this.#buf.subarray(0, this.#length));
  }

  #grow(atLeast: number): void {
    const next = Buffer.allocUnsafe(Math.max(atLeast, this.#buf.length * 2));
    this.#buf.copy(next, 0, 0, this.#length);
    this.#buf = next;
  }
}
