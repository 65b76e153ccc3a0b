/**
 * The exporter's whole flag table (its own flags and every collector's) and the texts
 * rendered from it, for `--help` and the docs.
 */
import { COLLECTORS } from './collect/collectors/index.js';
import { flagTable, type FlagSpec } from './config/flag-table.js';
import { renderFlagsMarkdown, renderHelp, type BuildInfo } from './config/help.js';

/** Every flag the exporter accepts, in help order. */
export const FLAGS: readonly FlagSpec[] = flagTable(COLLECTORS);

/** The `--help` text. */
export function helpText(version: string | BuildInfo): string {
  return renderHelp(FLAGS, version);
}

/** The flag table of the docs (`docs/flags.md`, `npm run docs:flags`). */
export function flagsMarkdown(): string {
  return renderFlagsMarkdown(FLAGS);
}
