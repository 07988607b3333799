import type { Row } from '@trunkline/pipeline';

/**
 * How a decoded row becomes the JSON the embedded engine stores, so that what comes back out is
 * what went in, as far as JSON can say it:
 *
 * - a bigint within ±(2^53 - 1) becomes a JSON number; a larger one a string of its decimal
 *   digits (`"9007199254740993"`), so no digit is ever lost;
 * - bytes (Buffer, any Uint8Array) become a base64 string;
 * - a Date becomes its ISO 8601 string;
 * - NaN and ±Infinity, which JSON has no number for, become the strings `"NaN"`, `"Infinity"`
 *   and `"-Infinity"`;
 * - `undefined` becomes null; arrays and plain objects are converted element by element.
 */
export function toJsonValue(value: unknown): unknown {
  switch (typeof value) {
    case 'bigint':
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(value)
        : value.toString();
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'undefined':
      return null;
    case 'string':
    case 'boolean':
      return value;
    case 'object':
      return objectToJson(value);
    default:
      // functions and symbols are not data a change event carries
      return null;
  }
}

function objectToJson(value: object | null): unknown {
  if (value === null) return null;
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) return value.map(toJsonValue);
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) out[name] = toJsonValue(field);
  return out;
}

/** A row as the JSON text the engine stores (see `toJsonValue` for the rules). */
export function rowToJson(row: Row): string {
  return JSON.stringify(toJsonValue(row));
}
