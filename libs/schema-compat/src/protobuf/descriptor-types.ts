import { FieldDescriptorProto_Type as FieldType } from '@bufbuild/protobuf/wkt';

/** The scalar field types of .proto text, by their descriptor type. */
export const SCALAR_TYPE_NAMES: ReadonlyMap<FieldType, string> = new Map([
  [FieldType.DOUBLE, 'double'],
  [FieldType.FLOAT, 'float'],
  [FieldType.INT64, 'int64'],
  [FieldType.UINT64, 'uint64'],
  [FieldType.INT32, 'int32'],
  [FieldType.FIXED64, 'fixed64'],
  [FieldType.FIXED32, 'fixed32'],
  [FieldType.BOOL, 'bool'],
  [FieldType.STRING, 'string'],
  [FieldType.BYTES, 'bytes'],
  [FieldType.UINT32, 'uint32'],
  [FieldType.SFIXED32, 'sfixed32'],
  [FieldType.SFIXED64, 'sfixed64'],
  [FieldType.SINT32, 'sint32'],
  [FieldType.SINT64, 'sint64'],
]);

/** The descriptor type of a scalar type name of .proto text. */
export const SCALAR_TYPES: ReadonlyMap<string, FieldType> = new Map(
  [...SCALAR_TYPE_NAMES].map(([type, name]) => [name, type]),
);

/** The largest field number; `max` in a message's reserved or extension range. */
export const MAX_FIELD_NUMBER = 536_870_911;
/** The largest enum value; `max` in an enum's reserved range. */
export const MAX_ENUM_NUMBER = 2_147_483_647;

/** The JSON name protoc gives a field: underscores dropped, the letter after each upper-cased. */
export function defaultJsonName(fieldName: string): string {
  let result = '';
  let upper = false;
  for (const char of fieldName) {
    if (char === '_') upper = true;
    else {
      result += upper ? char.toUpperCase() : char;
      upper = false;
    }
  }
  return result;
}

/** The name protoc gives the entry message of a map field: `my_map` has `MyMapEntry`. */
export function mapEntryName(fieldName: string): string {
  const camel = defaultJsonName(fieldName);
  return `${camel.charAt(0).toUpperCase()}${camel.slice(1)}Entry`;
}

/** A string as a .proto string literal. */
export function quote(value: string): string {
  let result = '"';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '"' || char === '\\') result += `\\${char}`;
    else if (char === '\n') result += '\\n';
    else if (char === '\r') result += '\\r';
    else if (char === '\t') result += '\\t';
    else if (code < 0x20 || code === 0x7f) result += `\\${code.toString(8).padStart(3, '0')}`;
    else result += char;
  }
  return `${result}"`;
}
