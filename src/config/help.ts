/**
 * `--help` text and the Markdown flag table for the docs, both rendered from the flag
 * table. Never includes environment values, so never shows a secret.
 */

import type { FlagSpec } from './flag-table.js';

/** What `--version` reports. */
export interface BuildInfo {
  /** The release, from package.json. */
  readonly version: string;
  /** The git commit it was built from (`unknown` when the build could not tell). */
  readonly revision?: string;
  /** When it was built, ISO 8601 (`unknown` when not recorded). */
  readonly buildDate?: string;
  /** The Node.js version it runs on, e.g. `v20.19.0`. */
  readonly nodeVersion?: string;
  /** `<os>/<arch>` it runs on, e.g. `linux/x64`. */
  readonly platform?: string;
}

/** Program name used in help and version output. */
export const PROGRAM = 'vmc-exporter';

function usage(flag: FlagSpec): string {
  if (flag.kind === 'boolean') return flag.default === 'true' ? `--[no-]${flag.name}` : `--${flag.name}`;
  return flag.placeholder === undefined ? `--${flag.name}` : `--${flag.name}=${flag.placeholder}`;
}

/** `-h, --help` in help text. */
function helpUsage(flag: FlagSpec): string {
  return flag.short === undefined ? usage(flag) : `-${flag.short}, ${usage(flag)}`;
}

function defaultText(flag: FlagSpec): string | undefined {
  if (flag.kind === 'boolean') return flag.default === 'true' ? 'on' : flag.default === 'false' ? 'off' : flag.defaultNote;
  return flag.default ?? flag.defaultNote;
}

function envText(flag: FlagSpec): string | undefined {
  if (flag.env === undefined) return undefined;
  return flag.env.note === undefined ? flag.env.name : `${flag.env.name} (${flag.env.note})`;
}

function versionOf(info: string | BuildInfo): string {
  if (typeof info === 'string') return info;
  return info.revision ? `${info.version} (revision ${info.revision})` : info.version;
}

/** The commands and what each does, for the help text. */
const COMMAND_HELP: ReadonlyArray<readonly [string, string]> = [
  ['(none)', 'serve metrics until SIGTERM or SIGINT'],
  ['check', 'test the credentials once: a token per org, its roles, every call of each enabled collector; exit 0 when all work, 1 otherwise'],
  ['healthcheck', "ask a running exporter's /-/healthy (for Docker and exec probes); without flags it checks the exporter's recorded addresses; exit 0 or 1"],
];

/**
 * Renders the `--help` text.
 *
 * @param table - every flag, in help order
 * @param version - the exporter version for the first line
 * @returns help text without a trailing newline
 */
export function renderHelp(table: readonly FlagSpec[], version: string | BuildInfo): string {
  const lines = [
    `${PROGRAM} ${versionOf(version)}: Prometheus exporter for VMware Cloud on AWS (VMC)`,
    '',
    `Usage: ${PROGRAM} [check | healthcheck] [flags]`,
    '',
    'Commands:',
    ...COMMAND_HELP.map(([name, what]) => `  ${name.padEnd(12)}${what}`),
    '',
    'Credentials come from the environment or from files, never from the command line:',
    'an OAuth app (VMC_CLIENT_ID + VMC_CLIENT_SECRET) or a user API token (VMC_API_TOKEN).',
    'A flag wins over its environment variable. Durations are seconds (60, 0.5) or 90s, 5m, 1h30m, 500ms.',
    '',
    'Flags:',
  ];
  for (const flag of table) {
    const notes = [
      flag.env === undefined ? undefined : `env: ${envText(flag)}`,
      defaultText(flag) === undefined ? undefined : `default: ${defaultText(flag)}`,
    ].filter((n) => n !== undefined);
    lines.push(`  ${helpUsage(flag)}`);
    lines.push(`      ${flag.help}${notes.length > 0 ? ` [${notes.join('; ')}]` : ''}`);
  }
  return lines.join('\n');
}

/**
 * Renders the `--version` text: the first line as exporter-toolkit's, then one line per
 * build fact.
 *
 * @param version - the exporter version, or its build info
 * @returns e.g. `vmc-exporter, version 0.1.0 (revision: 1a2b…)` and the build lines
 */
export function renderVersion(version: string | BuildInfo): string {
  if (typeof version === 'string') return `${PROGRAM}, version ${version}`;
  const lines = [`${PROGRAM}, version ${version.version} (revision: ${version.revision ?? 'unknown'})`];
  const facts: Array<[string, string | undefined]> = [
    ['build date', version.buildDate],
    ['node version', version.nodeVersion],
    ['platform', version.platform],
  ];
  for (const [label, value] of facts) if (value !== undefined) lines.push(`  ${`${label}:`.padEnd(14)}${value}`);
  return lines.join('\n');
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

/**
 * Renders every flag as a Markdown table (flag, environment variable, default, meaning)
 * for the docs.
 *
 * @param table - every flag, in help order
 * @returns Markdown ending in a newline
 */
export function renderFlagsMarkdown(table: readonly FlagSpec[]): string {
  const rows = table.map((flag) => {
    const shown = defaultText(flag);
    return [
      `\`${usage(flag)}\`${flag.short === undefined ? '' : ` (\`-${flag.short}\`)`}`,
      flag.env === undefined ? '' : `\`${flag.env.name}\`${flag.env.note === undefined ? '' : ` (${flag.env.note})`}`,
      flag.default !== undefined && flag.kind !== 'boolean' ? `\`${flag.default}\`` : (shown ?? ''),
      flag.help,
    ].map(cell);
  });
  return [
    '<!-- Generated from the flag table (src/config/flag-table.ts and each collector) by npm run docs:flags; test/docs/flags.test.ts checks it. -->',
    '',
    '| Flag | Environment | Default | Meaning |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    'A flag wins over its environment variable; empty environment variables count as unset.',
    'Secrets are never accepted on the command line: `VMC_CLIENT_SECRET` and `VMC_API_TOKEN` hold the value itself,',
    'the `-file` flags name a file that is re-read each time the secret is used.',
    'Durations are seconds (`60`, `0.5`) or Prometheus durations (`90s`, `5m`, `1h30m`, `500ms`, `1d`).',
    '',
  ].join('\n');
}
