/**
 * A small PromQL scanner for the tests: finds the metric selectors of an expression, so each
 * can be queried on its own ("does this selector match any series?"). It knows enough PromQL
 * for the project's rules and dashboards: strings, label matchers, range and subquery
 * brackets, grouping clauses, functions, aggregations, keywords, numbers and durations.
 */

const AGGREGATIONS = new Set([
  'sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values',
  'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio',
]);
/** Keywords followed by a parenthesised label list. */
const GROUPING = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'atan2', 'inf', 'nan', ...GROUPING]);

/** Index just past the quoted string starting at `i`. */
function skipString(s: string, i: number): number {
  const quote = s[i];
  let j = i + 1;
  while (j < s.length && s[j] !== quote) j += s[j] === '\\' && quote !== '`' ? 2 : 1;
  return j + 1;
}

/** Index just past the bracket group opened at `i` (`{`, `[` or `(`), strings respected. */
function skipGroup(s: string, i: number): number {
  const open = s[i]!;
  const close = ({ '{': '}', '[': ']', '(': ')' } as Record<string, string>)[open]!;
  let depth = 0;
  let j = i;
  while (j < s.length) {
    const c = s[j]!;
    if (c === '"' || c === "'" || c === '`') {
      j = skipString(s, j);
      continue;
    }
    if (c === open) depth++;
    else if (c === close && --depth === 0) return j + 1;
    j++;
  }
  throw new Error(`unbalanced ${open} at ${i} in ${s}`);
}

const skipSpace = (s: string, i: number): number => {
  while (i < s.length && /\s/.test(s[i]!)) i++;
  return i;
};

/** The metric selectors of a PromQL expression, in order, e.g. `vmc_up`, `up{job="vmc"}`. */
export function metricSelectors(expr: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(expr, i);
    } else if (c === '#') {
      while (i < expr.length && expr[i] !== '\n') i++;
    } else if (c === '[') {
      i = skipGroup(expr, i);
    } else if (c === '{') {
      const end = skipGroup(expr, i);
      out.push(expr.slice(i, end));
      i = end;
    } else if (/[0-9.]/.test(c)) {
      while (i < expr.length && /[0-9A-Za-z.]/.test(expr[i]!)) i++;
    } else if (/[A-Za-z_:]/.test(c)) {
      let j = i;
      while (j < expr.length && /[A-Za-z0-9_:]/.test(expr[j]!)) j++;
      const word = expr.slice(i, j);
      const next = skipSpace(expr, j);
      if (GROUPING.has(word) && expr[next] === '(') {
        i = skipGroup(expr, next);
      } else if (KEYWORDS.has(word) || AGGREGATIONS.has(word) || expr[next] === '(') {
        i = j;
      } else if (expr[next] === '{') {
        const end = skipGroup(expr, next);
        out.push(word + expr.slice(next, end));
        i = end;
      } else {
        out.push(word);
        i = j;
      }
    } else {
      i++;
    }
  }
  return out;
}
