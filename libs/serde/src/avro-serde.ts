import type * as avro from 'avsc';
import { type AvroResolver, type AvroTypeOptions, avroType, decodeAvro, encodeAvro } from './avro-codec';
import { cachedPromise } from './promise-cache';
import { resolveReferences } from './reference-resolver';
import type { SchemaRegistryClient } from './registry-client';
import type { SchemaDefinition } from './schema-types';
import { DeserializationError, errorMessage } from './serde-errors';
import { type SerializerOptions, schemaIdFor } from './serializer-options';
import { unframe } from './wire-format';

export interface AvroSerdeOptions extends SerializerOptions {
  /** Passed to avsc when parsing schemas: logical type implementations, union wrapping, … */
  readonly typeOptions?: Partial<AvroTypeOptions>;
}

/**
 * Avro values in the Confluent wire format, with their schemas in a Schema Registry. Values are
 * what avsc reads and writes: records as objects, longs as numbers unless typeOptions give another
 * long type, logical types as their underlying type unless typeOptions.logicalTypes implement them.
 */
export class AvroSerde {
  private readonly writers = new Map<string, Promise<avro.Type>>();
  private readonly ids = new Map<string, Promise<number>>();
  private readonly typesById = new Map<number, Promise<avro.Type>>();
  private readonly resolvers = new WeakMap<avro.Type, Map<number, AvroResolver>>();

  constructor(
    private readonly client: SchemaRegistryClient,
    private readonly options: AvroSerdeOptions = {},
  ) {}

  /** Registers (or looks up) `schema` under `subject` and returns `value` framed with its id. */
  async serialize(subject: string, schema: SchemaDefinition | string, value: unknown): Promise<Buffer> {
    const definition: SchemaDefinition = {
      ...(typeof schema === 'string' ? { schema } : schema),
      schemaType: 'AVRO',
    };
    const key = JSON.stringify([definition.schema, definition.references ?? []]);
    const type = await cachedPromise(this.writers, key, () => this.parse(definition));
    const id = await cachedPromise(this.ids, JSON.stringify([subject, key]), () =>
      schemaIdFor(this.client, subject, definition, this.options),
    );
    return encodeAvro(id, type, value);
  }

  /**
   * Decodes a framed Avro value with the writer schema its id names. With `readerType` (from
   * avroType), the value is read as that schema through Avro schema resolution.
   */
  async deserialize(value: Buffer, readerType?: avro.Type): Promise<unknown> {
    const { schemaId, payload } = unframe(value);
    const writer = await cachedPromise(this.typesById, schemaId, async () => {
      const stored = await this.client.getSchemaById(schemaId);
      if (stored.schemaType !== 'AVRO') {
        throw new DeserializationError(`schema ${schemaId} is ${stored.schemaType}, not AVRO`);
      }
      return this.parse(stored).catch((error: unknown) => {
        throw new DeserializationError(`schema ${schemaId}: ${errorMessage(error)}`);
      });
    });
    if (readerType === undefined) return decodeAvro(payload, writer);
    return decodeAvro(payload, writer, readerType, this.resolver(readerType, schemaId, writer));
  }

  private resolver(reader: avro.Type, schemaId: number, writer: avro.Type): AvroResolver {
    let byId = this.resolvers.get(reader);
    if (byId === undefined) {
      byId = new Map();
      this.resolvers.set(reader, byId);
    }
    let resolver = byId.get(schemaId);
    if (resolver === undefined) {
      try {
        resolver = reader.createResolver(writer);
      } catch (error) {
        throw new DeserializationError(
          `the reader schema cannot read data written with schema ${schemaId}: ${errorMessage(error)}`,
        );
      }
      byId.set(schemaId, resolver);
    }
    return resolver;
  }

  private async parse(definition: SchemaDefinition): Promise<avro.Type> {
    const references = await resolveReferences(this.client, definition.references ?? []);
    return avroType(definition.schema, references, this.options.typeOptions);
  }
}
