/**
 * logfmt lines (`key=value` pairs, as exporter-toolkit's `--log.format=logfmt` writes them)
 * from pino's JSON lines. Pure: formatting happens after pino has redacted and scrubbed the
 * record, so both formats carry exactly the same (secret-free) content.
 */

/** Keys written first, in this order; the others follow in the record's order. */
const LEADING = ['time', 'level', 'msg'];

/** A value needs quotes when it is empty or holds a space, `=`, a quote or a control character. */
// eslint-disable-next-line no-control-regex
const NEEDS_QUOTES = /[\s="\\\u0000-\u001f\u007f]/;

/** Quotes a value when needed, escaping backslashes, quotes and control characters. */
export function logfmtValue(text: string): string {
  if (text !== '' && !NEEDS_QUOTES.test(text)) return text;
  // eslint-disable-next-line no-control-regex
  const escaped = text.replace(/[\\"\u0000-\u001f\u007f]/g, (c) => {
    if (c === '\\' || c === '"') return `\\${c}`;
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return `"${escaped}"`;
}

/** Key characters other than letters, digits and `_ . - /` become `_`. */
function logfmtKey(key: string): string {
  const cleaned = key.replace(/[^A-Za-z0-9_./-]/g, '_');
  return cleaned === '' ? '_' : cleaned;
}

/** Flattens nested objects into dotted keys (`err.message`); arrays of scalars join with commas. */
function pairs(prefix: string, value: unknown, out: Array<[string, string]>): void {
  if (value === null || value === undefined) {
    out.push([prefix, '']);
  } else if (Array.isArray(value)) {
    const scalar = value.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v));
    out.push([prefix, scalar ? value.map((v) => String(v)).join(',') : JSON.stringify(value)]);
  } else if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) out.push([prefix, '']);
    for (const [k, v] of entries) pairs(prefix === '' ? k : `${prefix}.${k}`, v, out);
  } else {
    out.push([prefix, String(value)]);
  }
}

/**
 * Turns one JSON log record into one logfmt line.
 *
 * @param json - a JSON object, as one pino line (with or without the trailing newline)
 * @returns the logfmt line with a trailing newline; text that is not a JSON object is
 *   written as `msg=<text>` so nothing is lost
 */
export function jsonToLogfmt(json: string): string {
  let record: unknown;
  try {
    record = JSON.parse(json);
  } catch {
    record = undefined;
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return `msg=${logfmtValue(json.trimEnd())}\n`;
  const fields = record as Record<string, unknown>;
  const flat: Array<[string, string]> = [];
  for (const key of LEADING) if (key in fields) pairs(key, fields[key], flat);
  for (const [key, value] of Object.entries(fields)) if (!LEADING.includes(key)) pairs(key, value, flat);
  return `${flat.map(([k, v]) => `${logfmtKey(k)}=${logfmtValue(v)}`).join(' ')}\n`;
}
