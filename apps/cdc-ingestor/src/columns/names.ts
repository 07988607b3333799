/**
 * An Avro and Protobuf name for a Postgres identifier: every character outside [A-Za-z0-9_]
 * becomes `_`, and a leading digit gets a `_` before it (Debezium's field.name.adjustment.mode
 * avro does the same).
 */
export function adjustName(identifier: string): string {
  const adjusted = identifier.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(adjusted) || adjusted === '' ? `_${adjusted}` : adjusted;
}

/** A dotted namespace with every part adjusted: `trunkline.my-schema` → `trunkline.my_schema`. */
export function adjustNamespace(dotted: string): string {
  return dotted.split('.').map(adjustName).join('.');
}

/**
 * The field name of each column, throwing when two columns would get the same one (`a-b` and
 * `a_b`), which no schema could tell apart.
 */
export function fieldNames(columns: readonly string[]): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Map<string, string>();
  for (const column of columns) {
    const field = adjustName(column);
    const other = taken.get(field);
    if (other !== undefined) {
      throw new Error(`columns "${other}" and "${column}" both become the field name "${field}"`);
    }
    taken.set(field, column);
    names.set(column, field);
  }
  return names;
}
