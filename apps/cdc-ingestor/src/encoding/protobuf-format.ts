import {
  findMessage,
  frameProtobuf,
  messageIndexesOf,
  type ProtobufSchema,
  parseProtobufSchema,
  SerializationError,
} from '@trunkline/serde';
import * as protobuf from 'protobufjs';
import { protobufRowSchema, type TableCodec } from '../columns';
import type { ChangeEnvelope, Row } from '../events/change-event';
import type { EventFormat, TableEncoder } from './event-encoder';
import { optionalExceptKey } from './optional-row';

/**
 * Debezium's envelope. It is the file's first message, so its message indexes are [0]: clients
 * that read only the first message of a schema (as @kafkajs/confluent-schema-registry does)
 * decode it too.
 */
const ENVELOPE_MESSAGE = `message Envelope {
  Value before = 1;
  Value after = 2;
  Source source = 3;
  string op = 4;
  int64 ts_ms = 5;
}`;

/** Where a change came from: the fields of Debezium's Postgres connector's `source`. */
const SOURCE_MESSAGE = `message Source {
  string version = 1;
  string connector = 2;
  string name = 3;
  int64 ts_ms = 4;
  optional string snapshot = 5;
  string db = 6;
  optional string sequence = 7;
  string schema = 8;
  string table = 9;
  optional int64 txId = 10;
  optional int64 lsn = 11;
  optional int64 xmin = 12;
}`;

const INT64_TYPES: ReadonlySet<string> = new Set(['int64', 'sint64', 'sfixed64']);

/**
 * Protobuf (proto3), as Confluent's Protobuf serializer frames it: the `<topic>-key` subject holds
 * the row's `Key` message, `<topic>-value` a file with `Envelope`, the row's `Value` and `Source`;
 * values carry the Envelope's message indexes after the schema id.
 */
export const protobufFormat: EventFormat = {
  name: 'protobuf',
  schemas(codec: TableCodec) {
    const key = protobufRowSchema(codec, 'key');
    return {
      key: key === undefined ? undefined : { schema: key, schemaType: 'PROTOBUF' as const },
      value: { schema: protobufEnvelopeSchema(codec), schemaType: 'PROTOBUF' as const },
    };
  },
  encoder(codec: TableCodec, ids: { key: number | undefined; value: number }): TableEncoder {
    const { key, value } = this.schemas(codec);
    const keyMessage = key === undefined ? undefined : messageWriter(key.schema, 'Key');
    const envelopeMessage = messageWriter(value.schema, 'Envelope');
    return {
      keySchemaId: ids.key,
      valueSchemaId: ids.value,
      encodeKey: (row: Row | null) =>
        row === null || ids.key === undefined || keyMessage === undefined
          ? null
          : frameProtobuf(ids.key, keyMessage.indexes, keyMessage.encode(row)),
      encodeValue: (envelope: ChangeEnvelope) =>
        frameProtobuf(ids.value, envelopeMessage.indexes, envelopeMessage.encode(envelope)),
    };
  },
};

/**
 * The .proto file of a table's change events: `Envelope`, then the row's `Value` (fields numbered
 * with the columns' attnums, every field outside the key `optional`), then `Source`, all in the
 * package `<prefix>.<schema>.<table>`.
 */
export function protobufEnvelopeSchema(codec: TableCodec): string {
  const rowFile = protobufRowSchema(optionalExceptKey(codec), 'value')!;
  const at = rowFile.indexOf('\nmessage Value {');
  if (at < 0) throw new Error(`the value row file of ${codec.namespace} declares no Value message`);
  const header = rowFile.slice(0, at + 1);
  const value = rowFile.slice(at + 1).trimEnd();
  return `${header}${ENVELOPE_MESSAGE}\n\n${value}\n\n${SOURCE_MESSAGE}\n`;
}

interface MessageWriter {
  /** The message's Confluent message indexes in its file. */
  readonly indexes: readonly number[];
  /** Encodes a plain object whose keys are the message's field names. */
  encode(value: object): Buffer;
}

function messageWriter(schemaText: string, name: string): MessageWriter {
  // Field names as written: they are the rows' field names and the envelope's keys.
  const schema: ProtobufSchema = parseProtobufSchema(schemaText, [], { keepCase: true });
  const type = findMessage(schema, name);
  return {
    indexes: messageIndexesOf(schema, type),
    encode(value) {
      const message = messageObject(type, value as Readonly<Record<string, unknown>>);
      const problem = type.verify(message);
      if (problem !== null) throw new SerializationError(`${type.fullName.slice(1)}: ${problem}`);
      return Buffer.from(type.encode(message).finish());
    },
  };
}

/**
 * A value as protobufjs writes it: null fields left out (unset), nested messages converted,
 * int64s as exact {low, high} halves (protobufjs would round a bigint through a number).
 */
function messageObject(
  type: protobuf.Type,
  value: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const message: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const fieldValue = value[field.name];
    if (fieldValue === null || fieldValue === undefined) continue;
    if (!field.repeated) {
      message[field.name] = scalarOrMessage(type, field, fieldValue);
      continue;
    }
    if (!Array.isArray(fieldValue))
      throw new SerializationError(`${type.fullName.slice(1)}.${field.name}: an array expected`);
    message[field.name] = fieldValue.map((item: unknown, index) => {
      if (item === null || item === undefined)
        throw new SerializationError(
          `${type.fullName.slice(1)}.${field.name}[${index}] is null: a Protobuf repeated field cannot hold null elements (use --value-format avro or json for arrays with nulls)`,
        );
      return scalarOrMessage(type, field, item);
    });
  }
  return message;
}

function scalarOrMessage(type: protobuf.Type, field: protobuf.Field, value: unknown): unknown {
  if (field.resolvedType instanceof protobuf.Type) return messageObject(field.resolvedType, value as Row);
  if (INT64_TYPES.has(field.type)) return int64Bits(value, `${type.fullName.slice(1)}.${field.name}`);
  return value;
}

/** A bigint (or safe integer) as the signed 64-bit halves protobufjs's LongBits reads. */
function int64Bits(value: unknown, where: string): { low: number; high: number } {
  const long =
    typeof value === 'bigint' ? value : Number.isSafeInteger(value) ? BigInt(value as number) : undefined;
  if (long === undefined || BigInt.asIntN(64, long) !== long)
    throw new SerializationError(`${where}: ${String(value)} is not a 64-bit integer`);
  return { low: Number(BigInt.asIntN(32, long)), high: Number(BigInt.asIntN(32, long >> 32n)) };
}
