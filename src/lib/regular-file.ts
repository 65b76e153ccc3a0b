/**
 * Reading the files that flags name (secret files, the web config, certificates): regular
 * files only, with a size limit, and a short reason for operators when that fails.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

/** A file refused before it was read; the message is the reason. */
export class RefusedFileError extends Error {
  /** errno-style code. */
  readonly code: string;

  /**
   * @param code - errno-style code (`ENOTREG`, `EFBIG`)
   * @param reason - the reason, for messages
   */
  constructor(code: string, reason: string) {
    super(reason);
    this.name = 'RefusedFileError';
    this.code = code;
  }
}

/**
 * Reads a whole regular file. It is opened non-blocking and checked with `fstat` before any
 * read, so a FIFO (which would block until a writer comes), a socket or a device is refused
 * at once instead of hanging, a directory gives `EISDIR`, and a file over `maxBytes` is
 * refused without being read (as is one that grows past it while it is read).
 *
 * @param path - the file
 * @param maxBytes - largest size accepted
 * @throws RefusedFileError for other file types and files too large; a Node errno error otherwise
 */
export async function readRegularFile(path: string, maxBytes?: number): Promise<Buffer> {
  // O_NONBLOCK: opening a FIFO for reading must not wait for a writer. O_NOCTTY: a terminal
  // device never becomes the controlling terminal.
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw Object.assign(new Error(`EISDIR: ${path}`), { code: 'EISDIR' });
    if (!stat.isFile()) throw new RefusedFileError('ENOTREG', 'not a regular file (a FIFO, socket or device)');
    if (maxBytes !== undefined && stat.size > maxBytes) throw tooLarge(maxBytes);
    if (maxBytes === undefined) return await handle.readFile();
    const buffer = Buffer.alloc(maxBytes + 1);
    let size = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, size, buffer.length - size, size);
      if (bytesRead === 0) break;
      size += bytesRead;
      if (size > maxBytes) throw tooLarge(maxBytes);
    }
    return buffer.subarray(0, size);
  } finally {
    await handle.close();
  }
}

function tooLarge(maxBytes: number): RefusedFileError {
  return new RefusedFileError('EFBIG', `larger than ${maxBytes % 1024 === 0 ? `${maxBytes / 1024} KiB` : `${maxBytes} bytes`}`);
}

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  ENOTDIR: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
};

/**
 * Turns a file-read failure into a short reason for operators, from its errno code or the
 * refusal (never the path or contents).
 *
 * @param err - what the read rejected with
 * @returns e.g. `no such file`, `permission denied`, `is a directory`, `not a regular file …`,
 *   `larger than 64 KiB`, or the errno code
 */
export function describeReadError(err: unknown): string {
  if (err instanceof RefusedFileError) return err.message;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return REASONS[code] ?? code;
  return 'read failed';
}
