/**
 * Field-level helpers shared by the web-config parsers: {@link Problems}, which builds the
 * one-line {@link ConfigError}s, and the typed accessors that check one YAML field each
 * (optional strings, booleans, string lists, sections, allowed keys).
 */
import { ConfigError } from '../lib/errors.js';

/** Builds the errors for one file. */
export class Problems {
  constructor(readonly file: string) {}

  /** An error about one field. */
  field(field: string, problem: string): ConfigError {
    return new ConfigError(`--web.config.file ${this.file}: ${field}: ${problem}`);
  }

  /** An error about the file as a whole. */
  whole(problem: string): ConfigError {
    return new ConfigError(`--web.config.file ${this.file}: ${problem}`);
  }
}

/** Whether a parsed YAML value is a mapping (not null, not a list). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Allowed keys of one mapping: `known` ones, of which `unsupported` ones are refused. */
export interface KeySet {
  /** Every key the toolkit format defines for this mapping. */
  readonly known: readonly string[];
  /** Known keys vmc-exporter refuses with `not supported by vmc-exporter`. */
  readonly unsupported: readonly string[];
}

/** Checks a mapping's keys: unknown ones and known-but-unsupported ones are errors. */
export function checkKeys(
  obj: Record<string, unknown>,
  keys: KeySet,
  prefix: string,
  p: Problems,
): void {
  for (const key of Object.keys(obj)) {
    if (keys.known.includes(key)) continue;
    const name = prefix + key;
    if (keys.unsupported.includes(key)) throw p.field(name, 'not supported by vmc-exporter');
    throw p.field(name, 'unknown field');
  }
}

/** An optional string; null and '' mean unset (Go's zero value). */
export function optString(obj: Record<string, unknown>, key: string, field: string, p: Problems): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw p.field(field, 'must be a string');
  return v;
}

/** An optional boolean; null means unset (`dflt`). */
export function optBool(obj: Record<string, unknown>, key: string, field: string, p: Problems, dflt: boolean): boolean {
  const v = obj[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'boolean') throw p.field(field, 'must be true or false');
  return v;
}

/** An optional list of strings; null means unset (empty list). */
export function optStringList(obj: Record<string, unknown>, key: string, field: string, p: Problems): string[] {
  const v = obj[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw p.field(field, 'must be a list of strings');
  return v.map((item, i) => {
    if (typeof item !== 'string') throw p.field(`${field}[${i}]`, 'must be a string');
    return item;
  });
}

/** An optional mapping-valued section; null means absent. */
export function optSection(obj: Record<string, unknown>, key: string, p: Problems): Record<string, unknown> | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) throw p.field(key, 'must be a mapping');
  return v;
}
