/**
 * Pure parsing of a probe's query string: `target=<org id>` once, `collector=NAME` any
 * number of times, nothing else. Every refusal is one line saying why; values quoted in it
 * are cut short and escaped, so an answer never echoes a long or odd input back.
 */
import { isOrgId } from '../config/values.js';

/** Longest query string read, in characters; a longer one is refused (414) unread. */
export const MAX_QUERY_LENGTH = 2048;

/** Longest org id accepted (VMC org ids are 36-character UUIDs). */
export const MAX_ORG_ID_LENGTH = 128;

/** Most parameters read from one query string. */
export const MAX_PARAMETERS = 32;

/** A parsed probe query, or why it was refused. */
export type ProbeQuery =
  | {
      readonly ok: true;
      /** The org to collect. */
      readonly target: string;
      /** The collectors asked for; undefined = every active collector. */
      readonly collectors: ReadonlySet<string> | undefined;
    }
  | {
      readonly ok: false;
      /** 400, or 414 for a query string over {@link MAX_QUERY_LENGTH}. */
      readonly status: 400 | 414;
      /** One line, ending in a newline. */
      readonly message: string;
    };

/** The collectors a probe may name. */
export interface ProbeCollectors {
  /** The active collectors (the ones a probe may ask for). */
  readonly active: readonly string[];
  /** Every collector the exporter has, active or turned off. */
  readonly known: readonly string[];
}

/** `value` for a message: JSON-quoted (control characters escaped), at most 64 characters of it. */
function quote(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}

function refuse(message: string, status: 400 | 414 = 400): ProbeQuery {
  return { ok: false, status, message: `${message}\n` };
}

/**
 * Parses the query string of a probe request (what follows `?`, without it).
 *
 * @param query - the raw query string, percent-encoded as sent
 * @param collectors - the collectors a probe may name
 */
export function parseProbeQuery(query: string, collectors: ProbeCollectors): ProbeQuery {
  if (query.length > MAX_QUERY_LENGTH) return refuse(`query string too long (over ${MAX_QUERY_LENGTH} characters)`, 414);
  const params = [...new URLSearchParams(query)];
  if (params.length > MAX_PARAMETERS) return refuse(`too many query parameters (over ${MAX_PARAMETERS})`);
  let target: string | undefined;
  const asked = new Set<string>();
  for (const [name, value] of params) {
    if (name === 'target') {
      if (target !== undefined) return refuse('target given more than once: a probe collects one org');
      target = value;
    } else if (name === 'collector') {
      if (collectors.active.includes(value)) asked.add(value);
      else if (collectors.known.includes(value)) return refuse(`collector ${quote(value)} is turned off (--no-collector.${value})`);
      else return refuse(`unknown collector ${quote(value)} (known: ${collectors.active.join(', ')})`);
    } else {
      return refuse(`unknown query parameter ${quote(name)} (expected target and collector)`);
    }
  }
  if (target === undefined) return refuse('missing target: use ?target=<org id>');
  if (target === '') return refuse('target is empty: use ?target=<org id>');
  if (target.length > MAX_ORG_ID_LENGTH) return refuse(`target is not an org id (longer than ${MAX_ORG_ID_LENGTH} characters)`);
  if (!isOrgId(target)) return refuse(`target ${quote(target)} is not an org id (letters, digits, . _ -; starting with a letter or digit)`);
  return { ok: true, target, collectors: asked.size > 0 ? asked : undefined };
}
