/**
 * The subset of the VMC `$filter` grammar the simulator understands, for the task list:
 * comparisons of a date field (`created`, `updated`, `start_time`, `end_time`) with
 * `gt ge lt le eq ne` and a date (`yyyy-MM-dd` or `yyyy-MM-ddTHH:mm:ss[.SSS]Z`), comparisons
 * of a string field (`status`, `task_type`, `sub_status`, `resource_id`, `resource_type`)
 * with `eq ne` and a quoted string (`''` is a quote), joined with `and` / `or` (`and` binds
 * tighter) and parentheses. Anything else is rejected with {@link FilterSyntaxError}, which
 * the route answers with 400, like a server that does not understand the filter.
 */
import type { JsonObject } from './estate.js';

/** A filter the simulator does not understand; the message says what. */
export class FilterSyntaxError extends Error {
  /** @param message - what was not understood */
  constructor(message: string) {
    super(message);
    this.name = 'FilterSyntaxError';
  }
}

/** A compiled filter: true for the entities it keeps. */
export type Predicate = (entity: JsonObject) => boolean;

const DATE_FIELDS = new Set(['created', 'updated', 'start_time', 'end_time']);
const STRING_FIELDS = new Set(['status', 'task_type', 'sub_status', 'resource_id', 'resource_type']);
const DATE_OPS = new Set(['gt', 'ge', 'lt', 'le', 'eq', 'ne']);
const STRING_OPS = new Set(['eq', 'ne']);
const DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z)?$/;

type Token = { kind: 'word' | 'string' | 'open' | 'close'; text: string };

function tokenize(filter: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < filter.length) {
    const c = filter[i]!;
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '(' || c === ')') {
      out.push({ kind: c === '(' ? 'open' : 'close', text: c });
      i++;
    } else if (c === "'") {
      let text = '';
      let j = i + 1;
      for (;;) {
        if (j >= filter.length) throw new FilterSyntaxError('unterminated string');
        if (filter[j] === "'") {
          if (filter[j + 1] === "'") {
            text += "'";
            j += 2;
            continue;
          }
          break;
        }
        text += filter[j];
        j++;
      }
      out.push({ kind: 'string', text });
      i = j + 1;
    } else {
      let j = i;
      while (j < filter.length && !" \t()'".includes(filter[j]!)) j++;
      out.push({ kind: 'word', text: filter.slice(i, j) });
      i = j;
    }
  }
  return out;
}

function compare(op: string, a: number | string, b: number | string): boolean {
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'lt':
      return a < b;
    default:
      return a <= b;
  }
}

/**
 * Compiles a `$filter` value of the supported subset.
 *
 * @param filter - the decoded `$filter` query value
 * @throws FilterSyntaxError for anything outside the subset
 */
export function compileFilter(filter: string): Predicate {
  const tokens = tokenize(filter);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const next = (): Token => {
    const t = tokens[pos++];
    if (t === undefined) throw new FilterSyntaxError('unexpected end of filter');
    return t;
  };

  const comparison = (): Predicate => {
    const field = next();
    if (field.kind !== 'word') throw new FilterSyntaxError(`expected a field name, got ${JSON.stringify(field.text)}`);
    const op = next();
    if (op.kind !== 'word') throw new FilterSyntaxError(`expected an operator after ${field.text}`);
    const value = next();
    const name = field.text;
    if (DATE_FIELDS.has(name)) {
      if (!DATE_OPS.has(op.text)) throw new FilterSyntaxError(`operator ${op.text} is not supported`);
      if (value.kind !== 'word' || !DATE.test(value.text)) throw new FilterSyntaxError(`expected a date after ${name} ${op.text}`);
      const at = Date.parse(value.text.length === 10 ? `${value.text}T00:00:00Z` : value.text);
      if (!Number.isFinite(at)) throw new FilterSyntaxError(`not a date: ${value.text}`);
      return (e) => {
        const raw = e[name];
        const t = typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
        return Number.isFinite(t) && compare(op.text, t, at);
      };
    }
    if (STRING_FIELDS.has(name)) {
      if (!STRING_OPS.has(op.text)) throw new FilterSyntaxError(`operator ${op.text} is not supported for ${name}`);
      if (value.kind !== 'string') throw new FilterSyntaxError(`expected a quoted string after ${name} ${op.text}`);
      return (e) => compare(op.text, typeof e[name] === 'string' ? (e[name] as string) : '', value.text);
    }
    throw new FilterSyntaxError(`field ${JSON.stringify(name)} is not supported`);
  };

  const primary = (): Predicate => {
    if (peek()?.kind === 'open') {
      next();
      const inner = orExpr();
      if (next().kind !== 'close') throw new FilterSyntaxError('expected )');
      return inner;
    }
    return comparison();
  };

  const andExpr = (): Predicate => {
    let left = primary();
    while (peek()?.kind === 'word' && peek()?.text === 'and') {
      next();
      const l = left;
      const r = primary();
      left = (e) => l(e) && r(e);
    }
    return left;
  };

  function orExpr(): Predicate {
    let left = andExpr();
    while (peek()?.kind === 'word' && peek()?.text === 'or') {
      next();
      const l = left;
      const r = andExpr();
      left = (e) => l(e) || r(e);
    }
    return left;
  }

  if (tokens.length === 0) throw new FilterSyntaxError('empty filter');
  const predicate = orExpr();
  if (pos !== tokens.length) throw new FilterSyntaxError(`unexpected ${JSON.stringify(tokens[pos]!.text)}`);
  return predicate;
}
