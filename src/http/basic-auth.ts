/**
 * HTTP Basic authentication against bcrypt hashes (`basic_auth_users` of the web config).
 *
 * Cost model: a bcrypt check at cost 10 takes ~70 ms of CPU in bcryptjs. Successful
 * (user, password, hash) checks are cached under a SHA-256 of the three, so repeated scrapes
 * cost one hash and one map lookup; the cache is bounded (least recently used entry goes).
 * Failures are not cached: an attacker changing the password on every try would defeat such
 * a cache anyway. Instead at most `maxConcurrentChecks` uncached checks run at a time and
 * further uncached requests get 503 at once, so a flood of wrong passwords costs bounded
 * CPU and cannot queue up; cached (already proven) credentials keep working during a flood.
 *
 * Unknown users are checked against a dummy hash of the same cost as a configured one, so
 * response time does not reveal which user names exist.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import bcrypt from 'bcryptjs';

/** A Connect/Express-style middleware; works on plain `node:http` requests too. */
export type BasicAuthMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** Options of {@link basicAuth}. */
export interface BasicAuthOptions {
  /** Realm in `WWW-Authenticate`. @default `vmc-exporter` */
  readonly realm?: string;
  /** Successful checks remembered. @default 256 */
  readonly cacheSize?: number;
  /** Uncached bcrypt checks allowed at the same time; more get 503. @default 4 */
  readonly maxConcurrentChecks?: number;
  /** Password check, injected for tests. @default bcryptjs `compare` */
  readonly compare?: (password: string, hash: string) => Promise<boolean>;
}

/** Salt and digest of the dummy hash; the password for it is not known to anyone. */
const DUMMY_TAIL = 'vJ0rT9kQmLqZ3xW8yB2nUeO5sH1cD7fGaI4pK6jR.N/tV0wX9zE3m';

/** `Authorization: Basic <base64>`; the scheme is case-insensitive. */
const BASIC = /^basic +([A-Za-z0-9+/]+={0,2}) *$/i;

/**
 * Decodes Basic credentials.
 *
 * @param header - the `Authorization` header value
 * @returns user and password, or undefined when absent or malformed
 */
export function parseBasicAuthorization(header: string | undefined): { user: string; password: string } | undefined {
  if (header === undefined) return undefined;
  const m = BASIC.exec(header);
  if (m === null || m[1] === undefined) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function costOf(hash: string): string {
  const m = /^\$2[aby]?\$(\d\d)\$/.exec(hash);
  return m?.[1] ?? '10';
}

/**
 * Creates the middleware. When `getUsers()` returns a non-empty map every request needs
 * valid credentials; otherwise requests pass through untouched. `getUsers` is called per
 * request, so a reloaded configuration applies at once.
 *
 * @param getUsers - current user name to bcrypt hash map (`$2a$`, `$2b$`, `$2y$`), or undefined
 * @param options - realm, cache size, concurrency limit, injected compare
 * @returns the middleware; it answers 401 (with `WWW-Authenticate`) or 503 itself
 */
export function basicAuth(
  getUsers: () => ReadonlyMap<string, string> | undefined,
  options: BasicAuthOptions = {},
): BasicAuthMiddleware {
  const realm = options.realm ?? 'vmc-exporter';
  const cacheSize = options.cacheSize ?? 256;
  const maxConcurrent = options.maxConcurrentChecks ?? 4;
  const compare = options.compare ?? ((password: string, hash: string) => bcrypt.compare(password, hash));
  const challenge = `Basic realm="${realm.replace(/["\\]/g, '')}"`;
  /** Keys of proven credentials; Map iteration order doubles as LRU order. */
  const cache = new Map<string, true>();
  let inFlight = 0;

  const deny = (res: ServerResponse): void => {
    res.statusCode = 401;
    res.setHeader('WWW-Authenticate', challenge);
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end('Unauthorized\n');
  };

  return (req, res, next) => {
    const users = getUsers();
    if (users === undefined || users.size === 0) {
      next();
      return;
    }
    const creds = parseBasicAuthorization(req.headers.authorization);
    if (creds === undefined) {
      deny(res);
      return;
    }
    const known = users.get(creds.user);
    const firstHash = users.values().next().value ?? '';
    const hash = known ?? `$2b$${costOf(firstHash)}$${DUMMY_TAIL}`;
    const key = createHash('sha256').update(JSON.stringify([creds.user, creds.password, hash])).digest('base64');

    if (known !== undefined && cache.has(key)) {
      cache.delete(key);
      cache.set(key, true);
      next();
      return;
    }
    if (inFlight >= maxConcurrent) {
      res.statusCode = 503;
      res.setHeader('Retry-After', '1');
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end('Too many authentication attempts in progress\n');
      return;
    }

    inFlight++;
    compare(creds.password, hash)
      .catch(() => false)
      .then((ok) => {
        inFlight--;
        if (!ok || known === undefined) {
          deny(res);
          return;
        }
        cache.set(key, true);
        if (cache.size > cacheSize) {
          const oldest = cache.keys().next().value;
          if (oldest !== undefined) cache.delete(oldest);
        }
        next();
      })
      .catch((err: unknown) => next(err));
  };
}
