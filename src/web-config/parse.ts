/**
 * YAML text → validated, typed web configuration (before any certificate file is read):
 * YAML syntax, top-level keys, `http_server_config` headers, `basic_auth_users` bcrypt
 * hashes, and the `tls_server_config` plan via `tls-plan.ts`. Every error is a
 * one-line {@link ConfigError} from {@link Problems}.
 */
import { LineCounter, parseDocument } from 'yaml';
import { checkKeys, isRecord, optBool, optSection, type KeySet, type Problems } from './fields.js';
import { planTls, type TlsPlan } from './tls-plan.js';
import type { HttpServerConfig } from './types.js';

/**
 * Headers `http_server_config.headers` may set, with their allowed values when the toolkit
 * restricts them (empty = any value). Same names and spelling as the toolkit.
 */
const EXTRA_HEADERS: ReadonlyMap<string, readonly string[]> = new Map([
  ['Content-Security-Policy', []],
  ['Strict-Transport-Security', []],
  ['X-Content-Type-Options', ['nosniff']],
  ['X-Frame-Options', ['deny', 'sameorigin']],
  ['X-XSS-Protection', []],
]);

/** A bcrypt hash as produced by htpasswd (`$2y$`), Go (`$2a$`) or bcryptjs (`$2b$`); group 1: the cost. */
const BCRYPT_HASH = /^\$2[aby]?\$(\d\d)\$[./A-Za-z0-9]{53}$/;

/**
 * Highest bcrypt cost accepted: 14. Each step doubles the CPU time of a login check; in
 * bcryptjs cost 10 takes about 70-100 ms, cost 14 about 1-1.5 s, cost 31 days. 14 is above
 * every common tool's default (htpasswd -B 5, Go and bcryptjs 10, Python's bcrypt 12) and
 * keeps one check near a second; the exporter-toolkit accepts up to 31 (Go's limit),
 * where a few requests pin the CPU indefinitely. The lowest cost bcrypt allows is 4.
 */
const MAX_BCRYPT_COST = 14;

const TOP_LEVEL: KeySet = { known: ['tls_server_config', 'http_server_config', 'basic_auth_users'], unsupported: ['rate_limit'] };
const HTTP_KEYS: KeySet = { known: ['http2', 'headers'], unsupported: [] };

/** The sections of a web configuration file, checked, before any file it names is read. */
export interface ParsedWebConfig {
  /** TLS plan; undefined means plain HTTP. */
  readonly plan: TlsPlan | undefined;
  /** HTTP settings. */
  readonly http: HttpServerConfig;
  /** `basic_auth_users`; undefined when none are configured. */
  readonly users: ReadonlyMap<string, string> | undefined;
  /** The file holds no YAML document at all (nothing but blanks and comments). */
  readonly empty: boolean;
}

/**
 * Parses and validates the text of a web configuration file.
 *
 * @param text - the file's contents
 * @param dir - the file's directory, for relative certificate paths
 * @param p - error builder for the file
 * @returns the checked sections
 * @throws ConfigError - one line naming the file and the field (or line and column)
 */
export function parseWebConfigText(text: string, dir: string, p: Problems): ParsedWebConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError !== undefined) {
    const { line, col } = lineCounter.linePos(yamlError.pos[0]);
    // Cut at ': ' so that quoted bits of the file (alias or tag names) are never echoed.
    const what =
      yamlError.code === 'MULTIPLE_DOCS'
        ? 'only one YAML document is allowed'
        : (yamlError.message.split('\n')[0]?.split(' at line ')[0]?.split(': ')[0] ?? yamlError.code);
    throw p.whole(`invalid YAML at line ${line}, column ${col}: ${what}`);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch {
    throw p.whole('invalid YAML: too many aliases');
  }
  const empty = raw === undefined || raw === null;
  if (empty) raw = {};
  if (!isRecord(raw)) throw p.whole('the top level must be a mapping');

  checkKeys(raw, TOP_LEVEL, '', p);
  const tlsSection = optSection(raw, 'tls_server_config', p);
  const plan = tlsSection === undefined ? undefined : planTls(tlsSection, dir, p);
  const http = parseHttp(optSection(raw, 'http_server_config', p), p);
  const users = parseUsers(raw['basic_auth_users'], p);
  return { plan, http, users, empty };
}

function parseHttp(h: Record<string, unknown> | undefined, p: Problems): HttpServerConfig {
  if (h === undefined) return { http2: true, headers: new Map() };
  checkKeys(h, HTTP_KEYS, 'http_server_config.', p);
  const http2 = optBool(h, 'http2', 'http_server_config.http2', p, true);
  const headers = new Map<string, string>();
  const raw = h['headers'];
  if (raw !== undefined && raw !== null) {
    if (!isRecord(raw)) throw p.field('http_server_config.headers', 'must be a mapping of header name to value');
    for (const [name, value] of Object.entries(raw)) {
      const field = `http_server_config.headers.${name}`;
      const allowed = EXTRA_HEADERS.get(name);
      if (allowed === undefined) {
        throw p.field(field, `cannot be configured (allowed: ${[...EXTRA_HEADERS.keys()].join(', ')})`);
      }
      if (value === undefined || value === null || value === '') continue;
      if (typeof value !== 'string') throw p.field(field, 'must be a string');
      if (allowed.length > 0 && !allowed.includes(value)) throw p.field(field, `must be one of ${allowed.join(', ')}`);
      if (!/^[\t\x20-\x7e]*$/.test(value)) throw p.field(field, 'contains characters not allowed in a header value');
      headers.set(name, value);
    }
  }
  return { http2, headers };
}

function parseUsers(raw: unknown, p: Problems): ReadonlyMap<string, string> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isRecord(raw)) throw p.field('basic_auth_users', 'must be a mapping of user name to bcrypt hash');
  const users = new Map<string, string>();
  for (const [user, hash] of Object.entries(raw)) {
    // The user name is not a secret; the hash is never printed.
    const cost = typeof hash === 'string' ? BCRYPT_HASH.exec(hash)?.[1] : undefined;
    if (typeof hash !== 'string' || cost === undefined || Number(cost) < 4) throw p.field(`basic_auth_users.${user}`, 'not a bcrypt hash');
    if (Number(cost) > MAX_BCRYPT_COST) throw p.field(`basic_auth_users.${user}`, `bcrypt cost ${Number(cost)} is above the maximum of ${MAX_BCRYPT_COST}`);
    users.set(user, hash);
  }
  return users.size > 0 ? users : undefined;
}
