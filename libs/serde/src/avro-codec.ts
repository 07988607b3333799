import * as avro from 'avsc';
import { referencesInDependencyOrder } from './reference-resolver';
import type { ResolvedReference } from './schema-types';
import { DeserializationError, errorMessage, SerializationError } from './serde-errors';
import { frame } from './wire-format';

/** avsc's resolver from a writer type to a reader type. */
export type AvroResolver = ReturnType<avro.Type['createResolver']>;

/** avsc's options for parsing a schema (logicalTypes, wrapUnions, …). */
export type AvroTypeOptions = NonNullable<Parameters<typeof avro.Type.forSchema>[1]>;

function parseJson(text: string, what: string): avro.Schema {
  try {
    return JSON.parse(text) as avro.Schema;
  } catch (error) {
    throw new SerializationError(`${what} is not JSON: ${errorMessage(error)}`);
  }
}

/**
 * The avsc Type of an Avro schema. Referenced schemas are parsed first into the same registry
 * of named types, so the schema can name the records, enums and fixeds they declare.
 */
export function avroType(
  schema: string,
  references: readonly ResolvedReference[] = [],
  options: Partial<AvroTypeOptions> = {},
): avro.Type {
  const registry: Record<string, avro.Type> = { ...options.registry };
  const parse = (text: string, what: string) => {
    try {
      return avro.Type.forSchema(parseJson(text, what), { ...options, registry });
    } catch (error) {
      if (error instanceof SerializationError) throw error;
      throw new SerializationError(`${what} is not a valid Avro schema: ${errorMessage(error)}`);
    }
  };
  for (const reference of referencesInDependencyOrder(references)) {
    parse(
      reference.schema,
      `referenced schema "${reference.name}" (${reference.subject} v${reference.version})`,
    );
  }
  return parse(schema, 'the schema');
}

/** Why `value` does not match `type`: the path of each field at fault. */
function invalidPaths(type: avro.Type, value: unknown): string[] {
  const problems: string[] = [];
  type.isValid(value, {
    errorHook: (path: string[], found: unknown, expected: avro.Type) => {
      const where = path.length > 0 ? path.join('.') : '(the value)';
      problems.push(
        `${where}: ${JSON.stringify(found) ?? String(found)} is not a valid ${expected.typeName}`,
      );
    },
  });
  return problems;
}

/** The framed Avro value: magic byte, schema id, then `value` in Avro binary encoding. */
export function encodeAvro(schemaId: number, type: avro.Type, value: unknown): Buffer {
  const problems = invalidPaths(type, value);
  if (problems.length > 0) {
    throw new SerializationError(`the value does not match the Avro schema: ${problems.join('; ')}`);
  }
  return frame(schemaId, type.toBuffer(value));
}

/**
 * Decodes an Avro payload written with `writer`. With a `reader` type (of the same record,
 * evolved), the data is read through avsc's resolver: fields the writer lacks take the reader's
 * defaults, fields the reader lacks are skipped. `resolver` is `reader.createResolver(writer)`
 * when the caller keeps one.
 */
export function decodeAvro(
  payload: Buffer,
  writer: avro.Type,
  reader?: avro.Type,
  resolver?: AvroResolver,
): unknown {
  try {
    if (reader === undefined) return writer.fromBuffer(payload);
    return reader.fromBuffer(payload, resolver ?? reader.createResolver(writer));
  } catch (error) {
    throw new DeserializationError(`the Avro payload does not decode: ${errorMessage(error)}`);
  }
}
