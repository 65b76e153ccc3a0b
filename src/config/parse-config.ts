/**
 * Turns argv, the environment and secret files into a {@link Config}, or into text to
 * print for `--help` / `--version`. yargs, built from the flag table, splits and types the
 * arguments (negation with `--no-NAME` for on/off flags, repeated flags, unknown flags);
 * the table's validators check the values. Every bad input becomes a one-line
 * {@link ConfigError} naming the flag or variable.
 */

import yargs from 'yargs';

import { ConfigError } from '../lib/errors.js';
import type { ConfigWithoutAuth, Config } from './config.js';
import { SECRET_FLAGS, flagTable, type CollectorFlags, type FlagSpec } from './flag-table.js';
import { PROGRAM, renderHelp, renderVersion, type BuildInfo } from './help.js';
import { envValue, resolveAuth, type AuthFlags } from './resolve-auth.js';
import { readFlagFile, readTextFile, type ReadFile } from './secret-source.js';

/**
 * The commands of the program, given as the first argument: none serves metrics, `check`
 * tests the credentials and roles once, `healthcheck` asks a running exporter `/-/healthy`.
 */
export const COMMANDS = ['check', 'healthcheck'] as const;

/** What the program does with the configuration: serve (no command) or `check`. */
export type Command = 'serve' | 'check';

/**
 * What the caller should do: serve or check (`run`, or `demo` against the built-in
 * simulator, without credentials), run the healthcheck, or print text and exit 0.
 */
export type CommandLine =
  | { readonly action: 'run'; readonly command: Command; readonly config: Config }
  | { readonly action: 'demo'; readonly command: Command; readonly config: ConfigWithoutAuth }
  | { readonly action: 'healthcheck'; readonly config: ConfigWithoutAuth; readonly flagsGiven: boolean }
  | { readonly action: 'print'; readonly text: string };

/** Options for {@link parseCommandLine}. */
export interface ParseOptions {
  /** Version shown by `--version` and at the top of `--help`. */
  readonly version: string | BuildInfo;
  /** The collectors whose flags are accepted (the collector registry). */
  readonly collectors: readonly CollectorFlags[];
  /** File reader for secret files (default: regular files only, as UTF-8). */
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
 * With `--demo` the result is `{ action: 'demo' }` without credentials: the `--auth.*`
 * flags and `VMC_CLIENT_*` / `VMC_API_TOKEN` variables are not examined (no secret file is
 * read); the caller completes the configuration with the simulator's.
 *
 * Secret files are checked here: each must be a readable regular file, non-empty after
 * trimming; `readSecret()` re-reads them. `--web.config.file` is read once, when the
 * exporter starts (`WebConfigSource`).
 *
 * @param argv - arguments after the program name (`process.argv.slice(2)`)
 * @param env - the environment (`process.env`)
 * @param opts - version, collectors and optional file reader
 * @throws ConfigError with one line naming the flag or variable that is wrong; it never
 *   contains a secret value
 */
export async function parseCommandLine(
  argv: string[],
  env: Record<string, string | undefined>,
  opts: ParseOptions,
): Promise<CommandLine> {
  const readFile = opts.readFile ?? readTextFile;
  const table = flagTable(opts.collectors);
  const named = (COMMANDS as readonly string[]).includes(argv[0] ?? '') ? (argv[0] as (typeof COMMANDS)[number]) : undefined;
  const flags = named === undefined ? argv : argv.slice(1);
  rejectSecretFlags(flags);
  rejectBadBooleans(flags, table);
  const args = runYargs(flags, table);

  if (asArray(args['help']).includes(true)) return { action: 'print', text: renderHelp(table, opts.version) };
  if (asArray(args['version']).includes(true)) return { action: 'print', text: renderVersion(opts.version) };

  const rest = args['_'];
  if (Array.isArray(rest) && rest.length > 0) throw unexpectedArgument(String(rest[0]));

  const fields: Record<string, unknown> = { collectors: {} };
  for (const flag of table) {
    if (flag.field === undefined) continue;
    setPath(fields, flag.field, valueOf(flag, args, env));
  }
  for (const c of opts.collectors) {
    const settings = (fields['collectors'] as Record<string, Record<string, unknown>>)[c.name];
    if (settings !== undefined) settings['options'] ??= {};
  }
  const config = deepFreeze(fields) as unknown as ConfigWithoutAuth;
  checkPaths(config);

  // Read the auth flags before any I/O so that a repeated flag is reported first.
  const authFlags: AuthFlags = {
    clientId: single(args, 'auth.client-id'),
    clientSecretFile: single(args, 'auth.client-secret-file'),
    apiTokenFile: single(args, 'auth.api-token-file'),
  };
  await checkHealthcheckFiles(config, readFile);
  if (named === 'healthcheck') return { action: 'healthcheck', config, flagsGiven: flags.length > 0 };
  const command: Command = named === 'check' ? 'check' : 'serve';
  if (config.demo) return { action: 'demo', command, config };
  const auth = await resolveAuth(authFlags, env, readFile);
  return { action: 'run', command, config: Object.freeze({ ...config, auth }) };
}

/** `--healthcheck.cert-file` and `--healthcheck.key-file` come as a pair of readable files. */
async function checkHealthcheckFiles(config: ConfigWithoutAuth, readFile: ReadFile): Promise<void> {
  const { certFile, keyFile } = config.healthcheck;
  if (certFile !== undefined && keyFile === undefined) throw new ConfigError('--healthcheck.cert-file needs --healthcheck.key-file');
  if (keyFile !== undefined && certFile === undefined) throw new ConfigError('--healthcheck.key-file needs --healthcheck.cert-file');
  if (certFile !== undefined) await readFlagFile('--healthcheck.cert-file', certFile, readFile);
  if (keyFile !== undefined) await readFlagFile('--healthcheck.key-file', keyFile, readFile);
}

/** The telemetry and probe paths must differ: one route each. */
function checkPaths(config: ConfigWithoutAuth): void {
  if (config.probePath === config.telemetryPath) {
    throw new ConfigError(`--web.probe-path: "${config.probePath}" is the telemetry path (--web.telemetry-path); choose another path`);
  }
}

/** The parsed value of one flag: given, else its environment variable, else its default. */
function valueOf(flag: FlagSpec, args: Record<string, unknown>, env: Record<string, string | undefined>): unknown {
  const name = `--${flag.name}`;
  if (flag.kind === 'boolean') {
    const given = args[flag.name];
    if (Array.isArray(given)) throw new ConfigError(`${name}: given more than once`);
    return typeof given === 'boolean' ? given : flag.default === 'true';
  }
  if (flag.kind === 'list') {
    const given = multiple(args, flag.name);
    const fromEnv = flag.env === undefined ? undefined : envValue(env, flag.env.name);
    const texts =
      given.length > 0
        ? given.map((text) => ({ text, name }))
        : fromEnv !== undefined
          ? [{ text: fromEnv, name: flag.env!.name }]
          : flag.default !== undefined
            ? [{ text: flag.default, name }]
            : [];
    const values = texts.flatMap(({ text, name: blame }) => asArray(parseWith(flag, text, blame)));
    // Repeats are dropped, the first occurrence wins (values may be objects, e.g. addresses).
    const seen = new Set<string>();
    return values.filter((v) => {
      const key = JSON.stringify(v);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
  const given = single(args, flag.name);
  if (given !== undefined) return parseWith(flag, given, name);
  const fromEnv = flag.env === undefined ? undefined : envValue(env, flag.env.name);
  if (fromEnv !== undefined) return parseWith(flag, fromEnv, flag.env!.name);
  return flag.default === undefined ? undefined : parseWith(flag, flag.default, name);
}

function parseWith(flag: FlagSpec, text: string, name: string): unknown {
  return flag.parse ? flag.parse(text, name) : text;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** Runs yargs: no env binding, no built-in help/version, no output, no exit; strict. */
function runYargs(argv: string[], table: readonly FlagSpec[]): Record<string, unknown> {
  let parser = yargs()
    .exitProcess(false)
    .help(false)
    .version(false)
    .locale('en')
    .parserConfiguration({
      'dot-notation': false,
      'camel-case-expansion': false,
      'boolean-negation': true,
      'duplicate-arguments-array': true,
    })
    .strict()
    .fail((msg: string | null | undefined, err: Error | undefined) => {
      if (err instanceof ConfigError) throw err;
      throw translateFailure(msg ?? err?.message ?? 'invalid command line', argv, table);
    });
  for (const flag of table) {
    parser = parser.option(flag.name, { type: flag.kind === 'boolean' ? 'boolean' : 'string', ...(flag.short ? { alias: flag.short } : {}) });
  }
  const args = parser.parseSync(argv) as Record<string, unknown>;
  for (const flag of table) {
    // yargs reads `--no-NAME` of a flag that takes a value as `false`.
    if (flag.kind !== 'boolean' && asArray(args[flag.name]).includes(false)) {
      throw new ConfigError(`--${flag.name}: needs a value (--no-${flag.name} applies only to on/off flags)`);
    }
  }
  return args;
}

/** The value of a non-repeatable flag; repeating one is an error. */
function single(args: Record<string, unknown>, name: string): string | undefined {
  const value = args[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new ConfigError(`--${name}: given more than once`);
  return String(value);
}

/** Every value of a repeatable flag, in order. */
function multiple(args: Record<string, unknown>, name: string): string[] {
  const value = args[name];
  if (value === undefined) return [];
  return asArray(value).map(String);
}

/** Sets `path` (dotted) in `target`, creating the objects on the way. */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next === 'object' && next !== null) node = next as Record<string, unknown>;
    else node = node[key] = {};
  }
  node[keys[keys.length - 1]!] = value;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
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

/** yargs reads `--demo=yes` as false: only `=true` and `=false` are accepted. */
function rejectBadBooleans(argv: string[], table: readonly FlagSpec[]): void {
  const booleans = new Set(table.filter((f) => f.kind === 'boolean').map((f) => f.name));
  for (const token of flagZone(argv)) {
    const name = longName(token);
    if (name === undefined || !token.includes('=')) continue;
    const plain = booleans.has(name) ? name : name.startsWith('no-') && booleans.has(name.slice(3)) ? name : undefined;
    if (plain === undefined) continue;
    const value = token.slice(token.indexOf('=') + 1);
    if (value !== 'true' && value !== 'false') throw new ConfigError(`--${name}: "${value}" is not true or false`);
  }
}

function unexpectedArgument(token: string): ConfigError {
  if ((COMMANDS as readonly string[]).includes(token)) return new ConfigError(`the command "${token}" must come first: ${PROGRAM} ${token} [flags]`);
  return new ConfigError(`unexpected argument "${token}" (flags look like --name=value; see --help)`);
}

/**
 * Turns a yargs failure into one line. yargs reports unknown flags and stray positional
 * arguments alike as `Unknown argument(s): a, b`, without dashes, so the names are matched
 * back to argv tokens: flags first, then positional arguments.
 */
function translateFailure(message: string, argv: string[], table: readonly FlagSpec[]): ConfigError {
  const match = /^Unknown arguments?: (.*)$/.exec(message);
  if (!match) return new ConfigError(`invalid command line: ${message}`);
  const unknown = new Set((match[1] ?? '').split(', '));
  const tokens = flagZone(argv);

  for (const token of tokens) {
    const name = longName(token);
    const bare = name?.startsWith('no-') ? name.slice(3) : name;
    if (name !== undefined && (unknown.has(name) || (bare !== undefined && unknown.has(bare)))) return unknownFlag(`--${name}`, table);
    if (name === undefined && /^-[^-]/.test(token)) {
      const short = token.split('=')[0] ?? token;
      if ([...short.slice(1)].some((c) => unknown.has(c))) return unknownFlag(short, table);
    }
  }
  for (const token of tokens) {
    if (unknown.has(token)) return unexpectedArgument(token);
  }
  return new ConfigError(`unknown argument ${[...unknown].join(', ')}`);
}

function unknownFlag(flag: string, table: readonly FlagSpec[]): ConfigError {
  const suggestion = closestFlag(flag.replace(/^-+/, ''), table);
  return new ConfigError(`unknown flag ${flag}${suggestion === undefined ? '' : ` (did you mean --${suggestion}?)`}`);
}

/** The known flag within edit distance 2 of `name`, for typos like `--cache-ttl`. */
function closestFlag(name: string, table: readonly FlagSpec[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const flag of table) {
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
