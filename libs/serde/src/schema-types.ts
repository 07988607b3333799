/** The schema types of the Confluent Schema Registry API (absent in a response means AVRO). */
export type SchemaType = 'AVRO' | 'PROTOBUF' | 'JSON';

/** How a schema names another registered schema it imports. */
export interface SchemaReference {
  /** An Avro full name, a .proto import path or a JSON Schema $ref URL. */
  readonly name: string;
  readonly subject: string;
  readonly version: number;
}

/** A schema as it is registered: its text, type and the schemas it references. */
export interface SchemaDefinition {
  readonly schema: string;
  /** AVRO when omitted, as in the registry's API. */
  readonly schemaType?: SchemaType;
  readonly references?: readonly SchemaReference[];
}

/** A schema as the registry returns it by id. */
export interface StoredSchema {
  readonly schema: string;
  readonly schemaType: SchemaType;
  readonly references: readonly SchemaReference[];
}

/** One version of a subject. */
export interface SubjectVersion extends StoredSchema {
  readonly subject: string;
  readonly id: number;
  readonly version: number;
}

/** A referenced schema with its own references resolved, recursively. */
export interface ResolvedReference {
  readonly name: string;
  readonly subject: string;
  readonly version: number;
  readonly schema: string;
  readonly references: readonly ResolvedReference[];
}
