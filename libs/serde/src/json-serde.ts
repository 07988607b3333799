import { cachedPromise } from './promise-cache';
import type { SchemaRegistryClient } from './registry-client';
import type { SchemaDefinition, SchemaType } from './schema-types';
import { DeserializationError, errorMessage, SerializationError } from './serde-errors';
import { type SerializerOptions, schemaIdFor } from './serializer-options';
import { frame, unframe } from './wire-format';

/** The framed JSON value: magic byte, schema id, then the value as UTF-8 JSON text. */
export function encodeJson(schemaId: number, value: unknown): Buffer {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new SerializationError(`the value cannot be written as JSON: ${errorMessage(error)}`);
  }
  if (text === undefined) throw new SerializationError(`a ${typeof value} cannot be written as JSON`);
  return frame(schemaId, Buffer.from(text, 'utf8'));
}

/** Parses a JSON payload. */
export function decodeJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch (error) {
    throw new DeserializationError(`the payload is not JSON: ${errorMessage(error)}`);
  }
}

/**
 * JSON values in the Confluent wire format, with their JSON Schemas in a Schema Registry.
 *
 * Values are NOT validated against the schema, neither when serializing nor when deserializing:
 * the schema is registered (so consumers and compatibility checks see it) and, when reading, its
 * id is checked to name a JSON schema. References are therefore not fetched either.
 */
export class JsonSerde {
  private readonly ids = new Map<string, Promise<number>>();
  private readonly typesById = new Map<number, Promise<SchemaType>>();

  constructor(
    private readonly client: SchemaRegistryClient,
    private readonly options: SerializerOptions = {},
  ) {}

  /** Registers (or looks up) `schema` under `subject` and returns `value` as JSON framed with its id. */
  async serialize(subject: string, schema: SchemaDefinition | string, value: unknown): Promise<Buffer> {
    const definition: SchemaDefinition = {
      ...(typeof schema === 'string' ? { schema } : schema),
      schemaType: 'JSON',
    };
    const key = JSON.stringify([subject, definition.schema, definition.references ?? []]);
    const id = await cachedPromise(this.ids, key, () =>
      schemaIdFor(this.client, subject, definition, this.options),
    );
    return encodeJson(id, value);
  }

  /** Parses a framed JSON value whose schema id names a JSON schema. */
  async deserialize(value: Buffer): Promise<unknown> {
    const { schemaId, payload } = unframe(value);
    const schemaType = await cachedPromise(
      this.typesById,
      schemaId,
      async () => (await this.client.getSchemaById(schemaId)).schemaType,
    );
    if (schemaType !== 'JSON')
      throw new DeserializationError(`schema ${schemaId} is ${schemaType}, not JSON`);
    return decodeJson(payload);
  }
}
