import type * as protobuf from 'protobufjs';
import { cachedPromise } from './promise-cache';
import {
  findMessage,
  messageAtIndexes,
  messageIndexesOf,
  type ProtobufParseOptions,
  type ProtobufSchema,
  parseProtobufSchema,
} from './protobuf-schema';
import { resolveReferences } from './reference-resolver';
import type { SchemaRegistryClient } from './registry-client';
import type { SchemaDefinition } from './schema-types';
import { DeserializationError, errorMessage, SerializationError } from './serde-errors';
import { type SerializerOptions, schemaIdFor } from './serializer-options';
import { frameProtobuf, unframeProtobuf } from './wire-format';

export interface ProtobufSerdeOptions extends SerializerOptions, ProtobufParseOptions {
  /**
   * How decoded messages become plain objects (protobufjs toObject options). Default: longs and
   * enums as strings, bytes as Buffers; unset proto3 fields are left out.
   */
  readonly toObject?: protobuf.IConversionOptions;
}

/** A decoded Protobuf value and the message type it was written as. */
export interface DecodedProtobuf {
  /** The message's full name, e.g. `shop.Order.Line`. */
  readonly messageType: string;
  readonly value: Record<string, unknown>;
}

const DEFAULT_TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: String };

/** Encodes a plain object (or a protobufjs message) as `type`, framed with its id and message indexes. */
export function encodeProtobuf(
  schemaId: number,
  schema: ProtobufSchema,
  type: protobuf.Type,
  value: object,
): Buffer {
  let payload: Buffer;
  try {
    // fromObject converts what JSON can hold (longs as strings, enums by name, bytes as base64)
    const message = type.fromObject(value);
    const problem = type.verify(message);
    if (problem !== null) throw new Error(problem);
    payload = Buffer.from(type.encode(message).finish());
  } catch (error) {
    throw new SerializationError(`the value is not a valid ${type.name}: ${errorMessage(error)}`);
  }
  return frameProtobuf(schemaId, messageIndexesOf(schema, type), payload);
}

/** Decodes a Protobuf payload as the message `indexes` name in `schema`. */
export function decodeProtobuf(
  schema: ProtobufSchema,
  indexes: readonly number[],
  payload: Buffer,
  toObject: protobuf.IConversionOptions = DEFAULT_TO_OBJECT,
): DecodedProtobuf {
  let type: protobuf.Type;
  try {
    type = messageAtIndexes(schema, indexes);
  } catch (error) {
    throw new DeserializationError(errorMessage(error));
  }
  try {
    const value = type.toObject(type.decode(payload), toObject);
    return { messageType: type.fullName.slice(1), value };
  } catch (error) {
    throw new DeserializationError(`the payload does not decode as ${type.name}: ${errorMessage(error)}`);
  }
}

/**
 * Protobuf values in the Confluent wire format (schema id, message indexes, payload), with their
 * .proto schemas in a Schema Registry; imports are schema references named by import path.
 */
export class ProtobufSerde {
  private readonly writers = new Map<string, Promise<ProtobufSchema>>();
  private readonly ids = new Map<string, Promise<number>>();
  private readonly schemasById = new Map<number, Promise<ProtobufSchema>>();

  constructor(
    private readonly client: SchemaRegistryClient,
    private readonly options: ProtobufSerdeOptions = {},
  ) {}

  /**
   * Registers (or looks up) `schema` under `subject` and returns `value` framed with its id,
   * encoded as `messageType` (a message of the schema's own file; default: its first message).
   */
  async serialize(
    subject: string,
    schema: SchemaDefinition | string,
    value: object,
    messageType?: string,
  ): Promise<Buffer> {
    const definition: SchemaDefinition = {
      ...(typeof schema === 'string' ? { schema } : schema),
      schemaType: 'PROTOBUF',
    };
    const key = JSON.stringify([definition.schema, definition.references ?? []]);
    const parsed = await cachedPromise(this.writers, key, () =>
      this.parse(definition).catch((error: unknown) => {
        throw new SerializationError(errorMessage(error));
      }),
    );
    let type: protobuf.Type;
    try {
      type = findMessage(parsed, messageType);
    } catch (error) {
      throw new SerializationError(errorMessage(error));
    }
    const id = await cachedPromise(this.ids, JSON.stringify([subject, key]), () =>
      schemaIdFor(this.client, subject, definition, this.options),
    );
    try {
      return encodeProtobuf(id, parsed, type, value);
    } catch (error) {
      if (error instanceof SerializationError) throw error;
      throw new SerializationError(errorMessage(error));
    }
  }

  /** Decodes a framed Protobuf value as the message its schema id and message indexes name. */
  async deserialize(value: Buffer): Promise<DecodedProtobuf> {
    const { schemaId, messageIndexes, payload } = unframeProtobuf(value);
    const schema = await cachedPromise(this.schemasById, schemaId, async () => {
      const stored = await this.client.getSchemaById(schemaId);
      if (stored.schemaType !== 'PROTOBUF') {
        throw new DeserializationError(`schema ${schemaId} is ${stored.schemaType}, not PROTOBUF`);
      }
      return this.parse(stored).catch((error: unknown) => {
        throw new DeserializationError(`schema ${schemaId}: ${errorMessage(error)}`);
      });
    });
    return decodeProtobuf(schema, messageIndexes, payload, this.options.toObject);
  }

  private async parse(definition: SchemaDefinition): Promise<ProtobufSchema> {
    const references = await resolveReferences(this.client, definition.references ?? []);
    return parseProtobufSchema(definition.schema, references, this.options);
  }
}
