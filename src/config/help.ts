/**
 * `--help` text and the Markdown flag table for the docs, both rendered from the flag
 * table. Never includes environment values, so never shows a secret.
 */

import type { FlagSpec } from './flag-table.js';

/** What `--version` reports. */
export interface BuildInfo {
  /** The release, from package.json. */
  readonly version: string;
  /** The source revision it was built from, when known. */
  readonly revision?: string;
}

/** Program name used in help and version output. */
export const PROGRAM = 'vmc-exporter';

function usage(flag: FlagSpec): string {
  if (flag.kind === 'boolean') return flag.default === 'true' ? `--[no-]${flag.name}` : `--${flag.name}`;
  return flag.placeholder === undefined ? `--${flag.name}` : `--${flag.name}=${flag.placeholder}`;
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
    `Usage: ${PROGRAM} [flags]`,
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
    lines.push(`  ${usage(flag)}`);
    lines.push(`      ${flag.help}${notes.length > 0 ? ` [${notes.join('; ')}]` : ''}`);
  }
  return lines.join('\n');
}

/**
 * Renders the `--version` text.
 *
 * @param version - the exporter version, or its build info
 * @returns e.g. `vmc-exporter 0.1.0`
 */
export function renderVersion(version: string | BuildInfo): string {
  return `${PROGRAM} ${versionOf(version)}`;
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
      `\`${usage(flag)}\``,
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
