/**
 * Where the generated flag table lives in the docs and how it is marked, and the pure
 * functions that read and replace it. `npm run docs:flags` (scripts/write-flags-doc.ts)
 * rewrites the table; `test/docs/flags.test.ts` checks it.
 */

/** The document holding the generated flag table, relative to the repository root. */
export const FLAGS_DOC = 'docs/flags.md';

/** The line before the generated table. */
export const FLAGS_BEGIN = '<!-- flags:begin -->';

/** The line after the generated table. */
export const FLAGS_END = '<!-- flags:end -->';

/** Start and end offsets of the generated text (between the marker lines) in `markdown`. */
function blockRange(markdown: string): { start: number; end: number } {
  const begin = `${FLAGS_BEGIN}\n`;
  const first = markdown.indexOf(begin);
  if (first === -1) throw new Error(`no "${FLAGS_BEGIN}" line`);
  if (markdown.indexOf(begin, first + 1) !== -1) throw new Error(`"${FLAGS_BEGIN}" appears more than once`);
  const start = first + begin.length;
  const end = markdown.indexOf(`${FLAGS_END}`, start);
  if (end === -1) throw new Error(`no "${FLAGS_END}" after "${FLAGS_BEGIN}"`);
  if (end > 0 && markdown[end - 1] !== '\n') throw new Error(`"${FLAGS_END}" must start a line`);
  return { start, end };
}

/**
 * The generated text between the marker lines.
 *
 * @param markdown - the whole document
 * @returns the text after the `FLAGS_BEGIN` line up to the `FLAGS_END` line
 * @throws Error when the markers are missing, repeated or out of order
 */
export function readFlagsBlock(markdown: string): string {
  const { start, end } = blockRange(markdown);
  return markdown.slice(start, end);
}

/**
 * Replaces the generated text between the marker lines.
 *
 * @param markdown - the whole document
 * @param table - the new generated text, ending in a newline
 * @returns the document with `table` between the markers
 * @throws Error when the markers are missing, repeated or out of order
 */
export function replaceFlagsBlock(markdown: string, table: string): string {
  const { start, end } = blockRange(markdown);
  const body = table.endsWith('\n') ? table : `${table}\n`;
  return markdown.slice(0, start) + body + markdown.slice(end);
}
