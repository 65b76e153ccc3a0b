/**
 * Turns argv, the environment and secret files into a {@link Config}, or into text to
 * print for `--help` / `--version`. Every bad input becomes a one-line {@link ConfigError}
 * naming the flag or variable; yargs never prints, exits or shows its usage dump.
 */

import yargs from 'yargs';

import { ConfigError } from '../lib/errors.js';
import type { Config } from './config.js';
import { DEFAULTS, FLAGS, SECRET_FLAGS, type FlagName } from './flags.js';
import { renderHelp, renderVersion } from './help.js';
import { parseListenAddress } from './listen-address.js';
import { envValue, resolveAuth } from './resolve-auth.js';
import { readFlagFile, readTextFile, type ReadFile } from './secret-source.js';
import {
  addOrgIds,
  baseUrlValue,
  durationValue,
  integerValue,
  logLevelValue,
  nonEmptyValue,
  telemetryPathValue,
} from './values.js';

/** What the caller should do: run the exporter with a config, or print text and exit 0. */
export type CommandLine = { action: 'run'; config: Config } | { action: 'print'; text: string };

/** Options for {@link parseCommandLine}. */
export interface ParseOptions {
  /** Version shown by `--version` and at the top of `--help`. */
  readonly version: string;
  /** File reader for secret files and `--web.config.file` (default: `fs.readFile` as UTF-8). */
  readonly readFile?: ReadFile;
}

/**
 * Parses the command line and environment.
 *
 * Flags win over their environment variables (`--auth.client-id` over `VMC_CLIENT_ID`,
 * `--auth.client-secret-file` over `VMC_CLIENT_SECRET`, `--auth.api-token-file` over
 * `VMC_API_TOKEN`, `--vmc.org` over `VMC_ORG_IDS`); empty or blank variables count as
 * unset; no other flag reads the environment. `--help` wins over `--version`, and both
 * win over every other flag's value (but not over unknown flags).
 *
 * With `--demo`, `auth` is `undefined` and the `--auth.*` flags and `VMC_CLIENT_*` /
 * `VMC_API_TOKEN` variables are not examined at all (no secret file is read); `--csp.url`
 * and `--vmc.url` are still validated but the caller points the exporter at the simulator.
 *
 * Files are checked at startup: `--web.config.file` must be readable, and a secret file
 * must be readable and non-empty after trimming. `readSecret()` re-reads secret files.
 *
 * @param argv - arguments after the program name (`process.argv.slice(2)`)
 * @param env - the environment (`process.env`)
 * @param opts - version string and optional file reader
 * @returns `{ action: 'run', config }` or `{ action: 'print', text }`
 * @throws ConfigError with one line naming the flag or variable that is wrong; it never
 *   contains a secret value
 */
export async function parseCommandLine(
  argv: string[],
  env: Record<string, string | undefined>,
  opts: ParseOptions,
): Promise<CommandLine> {
  const readFile = opts.readFile ?? readTextFile;
  rejectSecretFlags(argv);
  rejectBadBooleans(argv);
  const args = runYargs(argv);

  if (args['help'] === true) return { action: 'print', text: renderHelp(opts.version) };
  if (args['version'] === true) return { action: 'print', text: renderVersion(opts.version) };

  const rest = args['_'];
  if (Array.isArray(rest) && rest.length > 0) throw unexpectedArgument(String(rest[0]));

  const get = (name: FlagName): string | undefined => single(args, name);
  const parsed = <T>(name: FlagName, fallback: T, parse: (text: string, flag: string) => T): T => {
    const text = get(name);
    return text === undefined ? fallback : parse(text, `--${name}`);
  };

  const orgs: string[] = [];
  const orgFlags = multiple(args, 'vmc.org');
  if (orgFlags.length > 0) {
    for (const text of orgFlags) addOrgIds(text, '--vmc.org', orgs);
  } else {
    const fromEnv = envValue(env, 'VMC_ORG_IDS');
    if (fromEnv !== undefined) addOrgIds(fromEnv, 'VMC_ORG_IDS', orgs);
  }

  const demo = args['demo'] === true;
  const base = {
    listen: parsed('web.listen-address', DEFAULTS.listen, parseListenAddress),
    telemetryPath: parsed('web.telemetry-path', DEFAULTS.telemetryPath, telemetryPathValue),
    webConfigFile: parsed('web.config.file', DEFAULTS.webConfigFile, nonEmptyValue),
    maxRequests: parsed('web.max-requests', DEFAULTS.maxRequests, (t, f) => integerValue(t, f, 0)),
    timeoutOffsetSeconds: parsed('web.timeout-offset', DEFAULTS.timeoutOffsetSeconds, (t, f) => durationValue(t, f)),
    cspUrl: parsed('csp.url', DEFAULTS.cspUrl, baseUrlValue),
    vmcUrl: parsed('vmc.url', DEFAULTS.vmcUrl, baseUrlValue),
    orgs: Object.freeze(orgs),
    concurrency: parsed('vmc.concurrency', DEFAULTS.concurrency, (t, f) => integerValue(t, f, 1)),
    requestTimeoutSeconds: parsed('vmc.timeout', DEFAULTS.requestTimeoutSeconds, (t, f) => durationValue(t, f, 'positive')),
    cacheTtlSeconds: parsed('cache.ttl', DEFAULTS.cacheTtlSeconds, (t, f) => durationValue(t, f)),
    maxStaleSeconds: parsed('cache.max-stale', DEFAULTS.maxStaleSeconds, (t, f) => durationValue(t, f)),
    logLevel: parsed('log.level', DEFAULTS.logLevel, logLevelValue),
    demo,
  };
  // Read the auth flags before any I/O so that a repeated flag is reported first.
  const authFlags = {
    clientId: get('auth.client-id'),
    clientSecretFile: get('auth.client-secret-file'),
    apiTokenFile: get('auth.api-token-file'),
  };

  if (base.webConfigFile !== undefined) await readFlagFile('--web.config.file', base.webConfigFile, readFile);
  const auth = demo ? undefined : await resolveAuth(authFlags, env, readFile);

  const config: Config = Object.freeze({ ...base, listen: Object.freeze({ ...base.listen }), auth });
  return { action: 'run', config };
}

/** Runs yargs: no env binding, no built-in help/version, no output, no exit; strict. */
function runYargs(argv: string[]): Record<string, unknown> {
  let parser = yargs()
    .exitProcess(false)
    .help(false)
    .version(false)
    .locale('en')
    .parserConfiguration({
      'dot-notation': false,
      'camel-case-expansion': false,
      'boolean-negation': false,
      'duplicate-arguments-array': true,
    })
    .strict()
    .fail((msg: string | null | undefined, err: Error | undefined) => {
      if (err instanceof ConfigError) throw err;
      throw translateFailure(msg ?? err?.message ?? 'invalid command line', argv);
    });
  for (const flag of FLAGS) parser = parser.option(flag.name, { type: flag.type });
  return parser.parseSync(argv) as Record<string, unknown>;
}

/** The value of a non-repeatable flag; repeating one is an error. */
function single(args: Record<string, unknown>, name: FlagName): string | undefined {
  if (!Object.hasOwn(args, name)) return undefined;
  const value = args[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new ConfigError(`--${name}: given more than once`);
  return String(value);
}

/** Every value of a repeatable flag, in order. */
function multiple(args: Record<string, unknown>, name: FlagName): string[] {
  if (!Object.hasOwn(args, name)) return [];
  const value = args[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/** Arguments before `--`, where flags are recognised. */
function flagZone(argv: string[]): string[] {
  const end = argv.indexOf('--');
  return end < 0 ? argv : argv.slice(0, end);
}

/** `--name=value` / `--name` → `name`; anything else → `undefined`. */
function longName(token: string): string | undefined {
  if (!token.startsWith('--') || token === '--') return undefined;
  const eq = token.indexOf('=');
  return eq < 0 ? token.slice(2) : token.slice(2, eq);
}

/**
 * Refuses `--auth.client-secret` and `--auth.api-token` anywhere in argv, before yargs
 * sees them, without echoing the value.
 */
function rejectSecretFlags(argv: string[]): void {
  for (const token of argv) {
    const name = longName(token);
    const instead = name === undefined ? undefined : SECRET_FLAGS[name];
    if (instead !== undefined) {
      throw new ConfigError(`--${name} is not accepted: secrets on the command line leak via ps and shell history; use ${instead}`);
    }
  }
}

/** yargs reads `--demo=yes` as false; only `=true` and `=false` are accepted. */
function rejectBadBooleans(argv: string[]): void {
  const booleans = new Set(FLAGS.filter((f) => f.type === 'boolean').map((f) => f.name as string));
  for (const token of flagZone(argv)) {
    const name = longName(token);
    if (name === undefined || !booleans.has(name) || !token.includes('=')) continue;
    const value = token.slice(token.indexOf('=') + 1);
    if (value !== 'true' && value !== 'false') throw new ConfigError(`--${name}: "${value}" is not true or false`);
  }
}

function unexpectedArgument(token: string): ConfigError {
  return new ConfigError(`unexpected argument "${token}" (flags look like --name=value; see --help)`);
}

/**
 * Turns a yargs failure into our one-line message. yargs reports unknown flags and stray
 * positional arguments alike as `Unknown argument(s): a, b`, without dashes, so the names
 * are matched back to argv tokens: flags first, then positional arguments.
 */
function translateFailure(message: string, argv: string[]): ConfigError {
  const match = /^Unknown arguments?: (.*)$/.exec(message);
  if (!match) return new ConfigError(`invalid command line: ${message}`);
  const unknown = new Set((match[1] ?? '').split(', '));
  const tokens = flagZone(argv);

  for (const token of tokens) {
    const name = longName(token);
    if (name !== undefined && unknown.has(name)) return unknownFlag(`--${name}`);
    if (name === undefined && /^-[^-]/.test(token)) {
      const short = token.split('=')[0] ?? token;
      if ([...short.slice(1)].some((c) => unknown.has(c))) return unknownFlag(short);
    }
  }
  for (const token of tokens) {
    if (unknown.has(token)) return unexpectedArgument(token);
  }
  return new ConfigError(`unknown argument ${[...unknown].join(', ')}`);
}

function unknownFlag(flag: string): ConfigError {
  const suggestion = closestFlag(flag.replace(/^-+/, ''));
  return new ConfigError(`unknown flag ${flag}${suggestion === undefined ? '' : ` (did you mean --${suggestion}?)`}`);
}

/** The known flag within edit distance 2 of `name`, for typos like `--cache-ttl`. */
function closestFlag(name: string): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const flag of FLAGS) {
    const distance = editDistance(name, flag.name);
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { name: flag.name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
