/**
 * `--help` text and the Markdown flag table for the README, both rendered from
 * {@link FLAGS}. Never includes environment values, so never shows a secret.
 */

import { FLAGS, type FlagSpec } from './flags.js';

/** Program name used in help and version output. */
export const PROGRAM = 'vmc-exporter';

function usage(flag: FlagSpec): string {
  return flag.placeholder === undefined ? `--${flag.name}` : `--${flag.name}=${flag.placeholder}`;
}

function defaultText(flag: FlagSpec): string | undefined {
  return flag.defaultText ?? flag.defaultNote;
}

function envText(flag: FlagSpec): string | undefined {
  if (flag.env === undefined) return undefined;
  return flag.envNote === undefined ? flag.env : `${flag.env} (${flag.envNote})`;
}

/**
 * Renders the `--help` text.
 *
 * @param version - the exporter version for the first line
 * @returns help text without a trailing newline
 */
export function renderHelp(version: string): string {
  const lines = [
    `${PROGRAM} ${version}: Prometheus exporter for VMware Cloud on AWS (VMC)`,
    '',
    `Usage: ${PROGRAM} [flags]`,
    '',
    'Credentials come from the environment or from files, never from the command line:',
    'an OAuth app (VMC_CLIENT_ID + VMC_CLIENT_SECRET) or a user API token (VMC_API_TOKEN).',
    'A flag wins over its environment variable. Durations are seconds (60, 0.5) or 90s, 5m, 1h30m, 500ms.',
    '',
    'Flags:',
  ];
  for (const flag of FLAGS) {
    const notes = [
      flag.env === undefined ? undefined : `env: ${envText(flag)}`,
      defaultText(flag) === undefined ? undefined : `default: ${defaultText(flag)}`,
    ].filter((n) => n !== undefined);
    lines.push(`  ${usage(flag)}`);
    lines.push(`      ${flag.description}${notes.length > 0 ? ` [${notes.join('; ')}]` : ''}`);
  }
  return lines.join('\n');
}

/**
 * Renders the `--version` text.
 *
 * @param version - the exporter version
 * @returns e.g. `vmc-exporter 0.1.0`
 */
export function renderVersion(version: string): string {
  return `${PROGRAM} ${version}`;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

/**
 * Renders every flag as a Markdown table (flag, environment variable, default, meaning);
 * the contents of `docs/fragments/flags.md`.
 *
 * @returns Markdown ending in a newline
 */
export function renderFlagsMarkdown(): string {
  const rows = FLAGS.map((flag) => {
    const env = envText(flag);
    return [
      `\`${usage(flag)}\``,
      env === undefined ? '' : `\`${flag.env}\`${flag.envNote === undefined ? '' : ` (${flag.envNote})`}`,
      flag.defaultText !== undefined ? `\`${flag.defaultText}\`` : (flag.defaultNote ?? ''),
      flag.description,
    ].map(cell);
  });
  return [
    '<!-- Generated from src/config/flags.ts by renderFlagsMarkdown(); test/config/parse-config.test.ts checks it. -->',
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
