/**
 * HTTP Basic authentication against bcrypt hashes (`basic_auth_users` of the web config).
 *
 * Cost model: a bcrypt check at cost 10 takes ~70-100 ms of CPU in bcryptjs, so checks run
 * on worker threads (see `bcrypt-pool.ts`), never on the main thread. Around them:
 * - Successful (user, password, hash) checks are cached under a SHA-256 of the three, so a
 *   client whose login succeeded once is answered from the cache and never waits for bcrypt
 *   (bounded, least recently used entry goes).
 * - Failed checks are cached briefly the same way (`failureCacheMs`), so repeating a wrong
 *   password costs no bcrypt check; identical checks in flight are run once and shared.
 * - Uncached checks are queued per client address (see `fair-queue.ts`): each address has a
 *   small bounded queue and the next free worker goes to the address whose last check started
 *   longest ago, so a client flooding wrong passwords delays another client's first login by
 *   about one check, not by its backlog. Beyond its queue an address gets 429; when too many
 *   addresses are waiting a new one gets 503 (both with `Retry-After: 1`).
 *
 * Unknown users are checked against a dummy hash of the highest cost among the configured
 * users, so an unknown user costs what a wrong password of the most expensive user costs.
 * Users whose hashes have different costs can still be told apart from each other by timing:
 * give all users the same cost.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { systemClock, type Clock } from '../lib/clock.js';
import { sharedBcryptPool } from './bcrypt-pool.js';
import { FairQueue, QueueFullError } from './fair-queue.js';

/** A Connect/Express-style middleware; works on plain `node:http` requests too. */
export type BasicAuthMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** Options of {@link basicAuth}. */
export interface BasicAuthOptions {
  /** Realm in `WWW-Authenticate`. @default `vmc-exporter` */
  readonly realm?: string;
  /** Successful checks remembered. @default 256 */
  readonly cacheSize?: number;
  /** Failed checks remembered (each for `failureCacheMs`). @default 1024 */
  readonly failureCacheSize?: number;
  /** How long a failed check is remembered, ms. @default 10000 */
  readonly failureCacheMs?: number;
  /** Uncached bcrypt checks running at the same time. @default the bcrypt pool's worker count */
  readonly maxConcurrentChecks?: number;
  /** Checks one client address may have queued or running; more get 429. @default 8 */
  readonly maxQueuedPerClient?: number;
  /** Client addresses that may wait for a check at the same time; a new one beyond gets 503. @default 256 */
  readonly maxWaitingClients?: number;
  /** Password check, injected for tests. @default bcryptjs `compareSync` on the shared worker pool */
  readonly compare?: (password: string, hash: string) => Promise<boolean>;
  /** Which queue a request waits in. @default {@link clientKey} of the socket's remote address */
  readonly clientKeyOf?: (req: IncomingMessage) => string;
  /** Time source for the failure cache. @default systemClock */
  readonly clock?: Clock;
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

/** The cost field of a bcrypt hash (`$2b$10$…` → 10); 10 when unreadable. */
function costOf(hash: string): number {
  const m = /^\$2[aby]?\$(\d\d)\$/.exec(hash);
  return m?.[1] === undefined ? 10 : Number(m[1]);
}

/** A hash nobody knows the password for, of the highest cost among `users`' hashes. */
function dummyHash(users: ReadonlyMap<string, string>): string {
  let cost = 4;
  for (const hash of users.values()) cost = Math.max(cost, costOf(hash));
  return `$2b$${String(cost).padStart(2, '0')}$${DUMMY_TAIL}`;
}

/**
 * The queue a client address waits in: an IPv4 address as is (also when IPv4-mapped), an
 * IPv6 address by its /64 prefix (one host usually holds a whole /64).
 *
 * @param address - `socket.remoteAddress`
 * @returns e.g. `192.0.2.7`, `2001:db8:0:1::/64`, or `unknown`
 */
export function clientKey(address: string | undefined): string {
  if (address === undefined || address === '') return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (!address.includes(':')) return address;
  const bare = address.split('%')[0] ?? address;
  const [head = '', tail] = bare.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** A check in flight, shared by every request presenting the same credentials. */
interface Check {
  readonly result: Promise<boolean>;
  /** Requests still waiting for it; when the last one goes away a queued check is dropped. */
  waiters: number;
  readonly abort: AbortController;
}

/**
 * Creates the middleware. When `getUsers()` returns a non-empty map every request needs
 * valid credentials; otherwise requests pass through untouched. `getUsers` is called per
 * request, so a reloaded configuration applies at once.
 *
 * @param getUsers - current user name to bcrypt hash map (`$2a$`, `$2b$`, `$2y$`), or undefined
 * @param options - realm, caches, queue bounds, injected compare and clock
 * @returns the middleware; it answers 401 (with `WWW-Authenticate`), 429 or 503 itself
 */
export function basicAuth(
  getUsers: () => ReadonlyMap<string, string> | undefined,
  options: BasicAuthOptions = {},
): BasicAuthMiddleware {
  const realm = options.realm ?? 'vmc-exporter';
  const cacheSize = options.cacheSize ?? 256;
  const failureCacheSize = options.failureCacheSize ?? 1024;
  const failureCacheMs = options.failureCacheMs ?? 10_000;
  const clock = options.clock ?? systemClock;
  const keyOf = options.clientKeyOf ?? ((req: IncomingMessage) => clientKey(req.socket.remoteAddress));
  /** The queue and the check it runs, made on first use (the worker pool starts only if needed). */
  let engine: { readonly queue: FairQueue; readonly compare: (password: string, hash: string) => Promise<boolean> } | undefined;
  const checker = (): NonNullable<typeof engine> => {
    if (engine === undefined) {
      let compare = options.compare;
      let concurrency = options.maxConcurrentChecks;
      if (compare === undefined) {
        const pool = sharedBcryptPool();
        compare = (password, hash) => pool.compare(password, hash);
        concurrency ??= pool.size;
      }
      const queue = new FairQueue({
        concurrency: Math.max(1, concurrency ?? 1),
        maxQueuedPerKey: Math.max(1, options.maxQueuedPerClient ?? 8),
        maxKeys: Math.max(1, options.maxWaitingClients ?? 256),
      });
      engine = { queue, compare };
    }
    return engine;
  };
  const challenge = `Basic realm="${realm.replace(/["\\]/g, '')}"`;
  /** Keys of proven credentials; Map iteration order doubles as LRU order. */
  const successes = new Map<string, true>();
  /** Keys of failed credentials → when the entry lapses (clock ms); oldest first. */
  const failures = new Map<string, number>();
  const inFlight = new Map<string, Check>();

  const deny = (res: ServerResponse): void => {
    res.statusCode = 401;
    res.setHeader('WWW-Authenticate', challenge);
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end('Unauthorized\n');
  };
  const busy = (res: ServerResponse, err: QueueFullError): void => {
    res.statusCode = err.reason === 'key' ? 429 : 503;
    res.setHeader('Retry-After', '1');
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end(err.reason === 'key' ? 'Too many authentication attempts from this address\n' : 'Too many authentication attempts in progress\n');
  };
  const rememberSuccess = (key: string): void => {
    successes.set(key, true);
    if (successes.size > cacheSize) {
      const oldest = successes.keys().next().value;
      if (oldest !== undefined) successes.delete(oldest);
    }
  };
  const rememberFailure = (key: string): void => {
    failures.delete(key);
    failures.set(key, clock.now() + failureCacheMs);
    for (const [k, until] of failures) {
      if (failures.size <= failureCacheSize && until > clock.now()) break;
      failures.delete(k);
    }
  };
  const failedRecently = (key: string): boolean => {
    const until = failures.get(key);
    if (until === undefined) return false;
    if (until > clock.now()) return true;
    failures.delete(key);
    return false;
  };
  /** The check of `key`: the one in flight, or a new one queued for `client`. */
  const checkFor = (key: string, client: string, password: string, hash: string, known: boolean): Check => {
    const running = inFlight.get(key);
    if (running !== undefined) return running;
    const abort = new AbortController();
    const { queue, compare } = checker();
    const result = queue
      // A check that could not run (a worker died) denies without being remembered.
      .run(client, () => compare(password, hash).then((ok) => ok, () => undefined), abort.signal)
      .then((ok) => {
        if (ok === undefined) return false;
        if (ok && known) rememberSuccess(key);
        else rememberFailure(key);
        return ok && known;
      })
      .finally(() => inFlight.delete(key));
    const entry: Check = { result, waiters: 0, abort };
    inFlight.set(key, entry);
    return entry;
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
    const hash = known ?? dummyHash(users);
    const key = createHash('sha256').update(JSON.stringify([creds.user, creds.password, hash])).digest('base64');

    if (known !== undefined && successes.has(key)) {
      successes.delete(key);
      successes.set(key, true);
      next();
      return;
    }
    if (failedRecently(key)) {
      deny(res);
      return;
    }

    const check = checkFor(key, keyOf(req), creds.password, hash, known !== undefined);
    check.waiters++;
    let settled = false;
    res.once('close', () => {
      if (settled) return;
      settled = true;
      if (--check.waiters === 0) check.abort.abort();
    });
    check.result.then(
      (ok) => {
        if (settled) return;
        settled = true;
        check.waiters--;
        if (ok) next();
        else deny(res);
      },
      (err: unknown) => {
        if (settled) return;
        settled = true;
        check.waiters--;
        if (err instanceof QueueFullError) busy(res, err);
        else if (!res.writableEnded) next(err);
      },
    );
  };
}
