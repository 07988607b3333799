import type { TableCodec } from '../columns';

/**
 * The table's codec with every field outside the primary key nullable, for the value row of the
 * change events: a delete under REPLICA IDENTITY DEFAULT carries only the key's values in
 * `before` (the others null), and that `before` must still be a valid row.
 */
export function optionalExceptKey(codec: TableCodec): TableCodec {
  const keyNames = new Set(codec.keyFields.map(({ field }) => field));
  return {
    ...codec,
    fields: codec.fields.map((field) => (keyNames.has(field.field) ? field : { ...field, nullable: true })),
  };
}
