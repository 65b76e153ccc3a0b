/**
 * The text of `vmc-exporter check`: a header line, a table (org, endpoint, result, detail)
 * with each failure's hint on the line below it, and a summary line. Pure.
 */

/** One token request or VMC call of the check. */
export interface CheckRow {
  /** The org the call was about; `''` for the credentials, the org list and exporter-wide collectors. */
  readonly org: string;
  /** `token`, `api-token`, `orgs`, or a collector's endpoint label (`sddcs`, …). */
  readonly endpoint: string;
  /** `ok`, `fail`, or `skipped` (nothing to call it on). */
  readonly status: 'ok' | 'fail' | 'skipped';
  /** `ok`, `HTTP 403`, `timeout`, `network`, … */
  readonly result: string;
  /** What came back: the token's claims, a count, or the error message (scrubbed by the caller). */
  readonly detail: string;
  /** For a failure: the likely missing role or step, and the flag that works around it. */
  readonly hint?: string;
  /** The collector the call belongs to. */
  readonly collector?: string;
}

/**
 * Renders the report.
 *
 * @param title - the header line
 * @param rows - the rows in order
 * @returns text ending in a newline
 */
export function renderReport(title: string, rows: readonly CheckRow[]): string {
  const cells = rows.map((r) => [r.org === '' ? '-' : r.org, r.endpoint, r.result, r.detail]);
  const head = ['ORG', 'ENDPOINT', 'RESULT', 'DETAIL'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]): string => c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [title, '', line(head)];
  rows.forEach((r, i) => {
    out.push(line(cells[i]!));
    if (r.hint) out.push(`  -> ${r.hint}`);
  });
  const failed = rows.filter((r) => r.status === 'fail').length;
  const checked = rows.filter((r) => r.status !== 'skipped').length;
  out.push('');
  out.push(failed === 0 ? `All ${checked} checks passed.` : `${failed} of ${checked} checks failed; the hint under each says what is likely missing.`);
  return `${out.join('\n')}\n`;
}
