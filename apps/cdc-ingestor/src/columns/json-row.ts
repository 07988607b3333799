/**
 * The JSON text of a row (or of any value of this module), as its JSON Schema describes it:
 * bigints as exact JSON integers (JSON.stringify cannot write them), Buffers (bytea, numeric(p,s))
 * as base64 strings, as Kafka Connect's JSON converter writes bytes. NaN and infinite floats
 * have no JSON form and are written as null, as JSON.stringify does; the UNCHANGED_TOAST marker
 * (a symbol) is left out, so the caller must replace it first.
 */
export function jsonRowText(value: unknown): string {
  const bigints: string[] = [];
  const text = JSON.stringify(value, function (this: Record<string, unknown>, key, converted: unknown) {
    const original = this[key];
    if (Buffer.isBuffer(original)) return original.toString('base64');
    if (typeof converted === 'bigint') {
      bigints.push(converted.toString());
      // Postgres text cannot hold NUL, so no column value can contain this placeholder.
      return `\u0000${bigints.length - 1}\u0000`;
    }
    return converted;
  });
  return text.replace(/"\\u0000(\d+)\\u0000"/g, (_, index: string) => bigints[Number(index)]!);
}
