/**
 * The one parser of Prometheus exposition text for the tests and the benchmark: the text
 * format 0.0.4 and OpenMetrics 1.0 (`# EOF`, `# UNIT`, counters whose metadata names the
 * family without `_total`, float timestamps, exemplars), escaped label values and HELP
 * texts, `+Inf`, `-Inf` and `NaN`. Strict: a line that is neither metadata nor a sample, a bad
 * escape, an unreadable value or anything after `# EOF` throws, naming the line.
 */

/** One sample. */
export interface Sample {
  /** Metric name as written (`vmc_api_requests_total`). */
  readonly name: string;
  /** Label values, unescaped. */
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** The timestamp as written (milliseconds in the text format, seconds in OpenMetrics), if any. */
  readonly timestamp?: number;
  /** `name{labels}` exactly as written, e.g. `vmc_up{org_id="o-1"}`. */
  readonly series: string;
  /** The family its `# TYPE` line declares (`vmc_api_requests` in OpenMetrics for `…_total`), if any. */
  readonly family?: string;
}

/** The metadata of a family. */
export interface Family {
  readonly name: string;
  readonly type?: string;
  /** HELP text, unescaped. */
  readonly help?: string;
  readonly unit?: string;
}

/** A parsed exposition. */
export interface Exposition {
  /** Every sample, in order. */
  readonly samples: readonly Sample[];
  /** Families by name, from `# HELP`, `# TYPE` and `# UNIT` lines. */
  readonly families: ReadonlyMap<string, Family>;
  /** Values by `name{labels}` exactly as written. */
  readonly series: ReadonlyMap<string, number>;
  /** True when the text ends with `# EOF` (OpenMetrics). */
  readonly eof: boolean;
  /** The value of the first sample called `name` whose labels include `labels`. */
  value(name: string, labels?: Readonly<Record<string, string>>): number | undefined;
  /** Every sample called `name` whose labels include `labels`. */
  all(name: string, labels?: Readonly<Record<string, string>>): Sample[];
}

/** Options of {@link parseExposition}. */
export interface ParseOptions {
  /**
   * `openmetrics` requires the closing `# EOF`; `text` reads `# EOF` as a plain comment.
   * @default OpenMetrics when the last line is `# EOF`, the text format otherwise
   */
  readonly format?: 'text' | 'openmetrics';
  /** Parse only the samples of these metric names (a fast path for large bodies); metadata is read in full. */
  readonly names?: readonly string[];
}

/** Sample-name suffixes a family of each type may use (OpenMetrics and the text format). */
const SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  counter: ['_total', '_created'],
  histogram: ['_bucket', '_count', '_sum', '_created'],
  gaugehistogram: ['_bucket', '_gcount', '_gsum'],
  summary: ['_count', '_sum', '_created'],
  info: ['_info'],
};

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
/** Go's ParseFloat, which Prometheus uses, takes NaN and Inf in any case. */
const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)$/;

/** Reads a sample value or timestamp (`+Inf`, `-Inf`, `NaN` in any case). */
export function parseValue(text: string): number {
  const lower = text.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === '+inf' || lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (!NUMBER.test(text)) throw new Error(`not a number: ${JSON.stringify(text)}`);
  return Number(text);
}

/** Unescapes `\\`, `\n` and (where allowed) `\"`; throws on any other escape. */
function unescape(text: string, quotes: boolean): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\(.?)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    if (c === '"' && quotes) return '"';
    throw new Error(`bad escape \\${c}`);
  });
}

/** Parses `{a="x",b="y"}` starting at `line[at]`; returns the labels and the index after `}`. */
function parseLabels(line: string, at: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = at + 1;
  for (;;) {
    if (line[i] === '}') return { labels, end: i + 1 };
    const name = LABEL_NAME.exec(line.slice(i))?.[0];
    if (!name) throw new Error(`bad label name at column ${i + 1}`);
    i += name.length;
    if (line[i] !== '=' || line[i + 1] !== '"') throw new Error(`label ${name}: expected ="`);
    i += 2;
    let raw = '';
    for (;;) {
      const c = line[i];
      if (c === undefined) throw new Error(`label ${name}: unterminated value`);
      if (c === '"') break;
      if (c === '\\') {
        raw += c + (line[i + 1] ?? '');
        i += 2;
      } else {
        raw += c;
        i++;
      }
    }
    i++;
    if (Object.hasOwn(labels, name)) throw new Error(`label ${name} repeated`);
    labels[name] = unescape(raw, true);
    if (line[i] === ',') i++;
    else if (line[i] !== '}') throw new Error(`label ${name}: expected , or }`);
  }
}

/** The family a sample belongs to: its own name, or its name without a suffix its family's type allows. */
function familyOf(name: string, families: ReadonlyMap<string, Family>): string | undefined {
  if (families.get(name)?.type !== undefined) return name;
  for (const [type, suffixes] of Object.entries(SUFFIXES)) {
    for (const suffix of suffixes) {
      if (!name.endsWith(suffix)) continue;
      const base = name.slice(0, -suffix.length);
      if (families.get(base)?.type === type) return base;
    }
  }
  return families.has(name) ? name : undefined;
}

function matches(sample: Sample, name: string, labels: Readonly<Record<string, string>> = {}): boolean {
  return sample.name === name && Object.entries(labels).every(([k, v]) => sample.labels[k] === v);
}

/** Parses exposition text (see the module comment for what it accepts). */
export function parseExposition(text: string, opts: ParseOptions = {}): Exposition {
  const samples: Sample[] = [];
  const families = new Map<string, { -readonly [K in keyof Family]: Family[K] }>();
  const series = new Map<string, number>();
  const names = opts.names;
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const openMetrics = opts.format === 'openmetrics' || (opts.format === undefined && lines.at(-1) === '# EOF');
  let eof = false;
  for (const [index, line] of lines.entries()) {
    try {
      if (eof) throw new Error('text after # EOF');
      if (line === '') continue;
      if (line.startsWith('#')) {
        if (line === '# EOF' && openMetrics) {
          eof = true;
          continue;
        }
        const m = /^# (HELP|TYPE|UNIT) ([a-zA-Z_:][a-zA-Z0-9_:]*)(?: (.*))?$/.exec(line);
        if (!m) continue; // a comment
        const [, kind, name, rest = ''] = m as unknown as [string, string, string, string | undefined];
        let f = families.get(name);
        if (!f) families.set(name, (f = { name }));
        // HELP escapes backslash and line feed; OpenMetrics also the double quote
        if (kind === 'HELP') f.help = unescape(rest, openMetrics);
        else if (kind === 'TYPE') {
          if (!/^(counter|gauge|histogram|gaugehistogram|summary|info|stateset|unknown|untyped)$/.test(rest)) throw new Error(`unknown type ${rest}`);
          f.type = rest;
        } else f.unit = rest;
        continue;
      }
      if (names && !names.some((n) => line.startsWith(n) && (line[n.length] === '{' || line[n.length] === ' '))) continue;
      const name = NAME.exec(line)?.[0];
      if (!name) throw new Error('no metric name');
      let i = name.length;
      let labels: Record<string, string> = {};
      if (line[i] === '{') ({ labels, end: i } = parseLabels(line, i));
      const key = line.slice(0, i);
      // value, optional timestamp, optional OpenMetrics exemplar (` # {labels} value [timestamp]`)
      const rest = line.slice(i);
      const m = /^[ \t]+(\S+)(?:[ \t]+([^\s#]\S*))?(?:[ \t]+# \{.*\}[ \t]+\S+(?:[ \t]+\S+)?)?[ \t]*$/.exec(rest);
      if (!m) throw new Error('expected a value after the name and labels');
      const value = parseValue(m[1]!);
      const timestamp = m[2] === undefined ? undefined : parseValue(m[2]);
      const sample: Sample = { name, labels, value, series: key, ...(timestamp === undefined ? {} : { timestamp }) };
      samples.push(sample);
      series.set(key, value);
    } catch (err) {
      throw new Error(`exposition line ${index + 1}: ${(err as Error).message}: ${line.slice(0, 300)}`);
    }
  }
  if (opts.format === 'openmetrics' && !eof) throw new Error('OpenMetrics text without # EOF at its end');
  const withFamilies = families.size === 0 ? samples : samples.map((s) => {
    const f = familyOf(s.name, families);
    return f === undefined ? s : { ...s, family: f };
  });
  return {
    samples: withFamilies,
    families,
    series,
    eof,
    value: (name, labels) => withFamilies.find((s) => matches(s, name, labels))?.value,
    all: (name, labels) => withFamilies.filter((s) => matches(s, name, labels)),
  };
}
