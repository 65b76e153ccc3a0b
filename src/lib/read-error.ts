const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  ENOTDIR: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
};

/**
 * Turns a file-read failure into a short reason for operators, from its errno code only
 * (never the path or contents).
 *
 * @param err - what the read rejected with
 * @returns e.g. `no such file`, `permission denied`, `is a directory`, or the errno code
 */
export function describeReadError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return REASONS[code] ?? code;
  return 'read failed';
}
