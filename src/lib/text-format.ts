/**
 * Pieces of the Prometheus exposition formats that collectors and the exposition cache
 * share: metric families, label escaping, value formatting, family headers in the text
 * format (0.0.4) and in OpenMetrics, and state sets. Sample lines are the same in both
 * formats for the gauges rendered here; only the headers differ.
 */

/** A metric family: name, type and HELP. */
export interface Family {
  /** Metric name. */
  readonly name: string;
  /** Prometheus type. */
  readonly type: 'gauge' | 'counter';
  /** HELP text. */
  readonly help: string;
}

/** The two exposition formats served. */
export type ExpositionFormat = 'text' | 'openmetrics';

/** The state label of an entity whose state field is missing or empty. */
export const UNKNOWN_STATE = 'UNKNOWN';

/** Escapes a label value (backslash, double quote, line feed). */
export function escapeLabel(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : value;
}

/** Formats a sample value. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/**
 * Renders the `# HELP` and `# TYPE` lines of a family. The text format escapes backslash
 * and line feed in HELP; OpenMetrics also the double quote.
 */
export function header(f: Family, format: ExpositionFormat = 'text'): string {
  let help = f.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  if (format === 'openmetrics') help = help.replace(/"/g, '\\"');
  return `# HELP ${f.name} ${help}\n# TYPE ${f.name} ${f.type}\n`;
}

/** A state as a label value: the value itself, or {@link UNKNOWN_STATE} when empty. */
export function stateLabel(state: string): string {
  return state === '' ? UNKNOWN_STATE : escapeLabel(state);
}

/**
 * Appends a state set: every known state (1 for the current one, 0 for the others), plus
 * the current state when it is not a known one. A missing state counts as `UNKNOWN`.
 *
 * @param out - the family's lines
 * @param prefix - everything before the state value, e.g. `vmc_sddc_state{org_id="o",sddc_id="s",state="`
 * @param known - the known states, in output order
 * @param current - the entity's state as read
 */
export function pushStateSet(out: string[], prefix: string, known: readonly string[], current: string): void {
  const value = current === '' ? UNKNOWN_STATE : current;
  for (const st of known) out.push(`${prefix}${st}"} ${st === value ? 1 : 0}\n`);
  if (!known.includes(value)) out.push(`${prefix}${escapeLabel(value)}"} 1\n`);
}
