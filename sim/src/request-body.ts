/**
 * Bounded reading of request bodies (token forms, control-API JSON) for the simulator.
 */
import type { IncomingMessage } from 'node:http';

/**
 * Reads a request body up to `limit` bytes; undefined when it is larger (the rest is drained).
 *
 * @param req - the request to read
 * @param limit - largest accepted body, in bytes
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      if (!over) chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
