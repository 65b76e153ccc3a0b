/** Small helpers shared by the pure parsers of upstream JSON. */

/** A JSON object as parsed, read-only. */
export type JsonObject = Readonly<Record<string, unknown>>;

/** The value as a JSON object, or undefined when it is not one (null and arrays are not). */
export function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

/** The JSON type of a value for messages (`null`, `array`, `object`, `string`, `undefined`, …). */
export function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
