import {
  create,
  type DescField,
  type DescMessage,
  type MessageShape,
  protoInt64,
  ScalarType,
} from '@bufbuild/protobuf';
import { type ReflectMessage, reflect } from '@bufbuild/protobuf/reflect';
import { quote } from './descriptor-types';

/** Option fields that .proto text writes another way (or never). */
const NOT_OPTIONS = new Set(['uninterpreted_option', 'map_entry']);

function printValue(field: DescField, value: unknown): string | undefined {
  if (field.fieldKind === 'enum') {
    return field.enum.values.find((v) => v.number === value)?.name ?? String(value);
  }
  if (field.fieldKind !== 'scalar') return undefined;
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  }
  return String(value);
}

function collect(message: ReflectMessage, prefix: string, into: [string, string][]): void {
  for (const field of message.fields) {
    if (NOT_OPTIONS.has(field.name) || !message.isSet(field)) continue;
    const value = message.get(field);
    if (field.fieldKind === 'message') {
      if (field.name === 'features') collect(value as ReflectMessage, `${prefix}features.`, into);
      continue;
    }
    const printed = printValue(field, value);
    if (printed !== undefined) into.push([`${prefix}${field.name}`, printed]);
  }
}

/**
 * The standard options set in an options message (FileOptions, FieldOptions, ...) as .proto
 * text writes them: name and value, editions features as `features.<name>`. Custom options
 * (extensions) are not printed.
 */
export function optionEntries<Desc extends DescMessage>(
  schema: Desc,
  options: MessageShape<Desc> | undefined,
): [string, string][] {
  const entries: [string, string][] = [];
  if (options) collect(reflect(schema, options), '', entries);
  return entries;
}

function toFieldValue(field: DescField, value: unknown): unknown {
  if (field.fieldKind === 'enum') {
    if (typeof value === 'number') return value;
    return field.enum.values.find((v) => v.name === value)?.number;
  }
  if (field.fieldKind !== 'scalar') return undefined;
  switch (field.scalar) {
    case ScalarType.STRING:
      return typeof value === 'string' ? value : undefined;
    case ScalarType.BOOL:
      return typeof value === 'boolean'
        ? value
        : value === 'true'
          ? true
          : value === 'false'
            ? false
            : undefined;
    case ScalarType.BYTES:
      return typeof value === 'string' ? new TextEncoder().encode(value) : undefined;
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return typeof value === 'number' || typeof value === 'string' ? protoInt64.parse(value) : undefined;
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return typeof value === 'number' || typeof value === 'string' ? protoInt64.uParse(value) : undefined;
    default:
      return typeof value === 'number' ? value : undefined;
  }
}

function assign(message: ReflectMessage, name: string, value: unknown): boolean {
  const dot = name.indexOf('.');
  const head = dot < 0 ? name : name.slice(0, dot);
  const field = message.fields.find((f) => f.name === head);
  if (!field || NOT_OPTIONS.has(field.name)) return false;
  if (field.fieldKind === 'message') {
    const nested = message.get(field) as ReflectMessage;
    const entries: [string, unknown][] =
      dot >= 0
        ? [[name.slice(dot + 1), value]]
        : typeof value === 'object' && value !== null
          ? Object.entries(value)
          : [];
    let any = false;
    for (const [key, v] of entries) any = assign(nested, key, v) || any;
    if (any) message.set(field, nested);
    return any;
  }
  if (dot >= 0) return false;
  const converted = toFieldValue(field, value);
  if (converted === undefined) return false;
  message.set(field, converted);
  return true;
}

/**
 * An options message holding the standard options among protobufjs's parsed `options`
 * (keys not in `skip`); undefined when none is. Custom options (`(name)`) are left out.
 */
export function optionsFromProtobufjs<Desc extends DescMessage>(
  schema: Desc,
  options: Readonly<Record<string, unknown>> | undefined,
  skip: readonly string[] = [],
): MessageShape<Desc> | undefined {
  if (!options) return undefined;
  const message = create(schema);
  const r = reflect(schema, message);
  let any = false;
  for (const [name, value] of Object.entries(options)) {
    if (skip.includes(name) || name.startsWith('(')) continue;
    any = assign(r, name, value) || any;
  }
  return any ? message : undefined;
}
