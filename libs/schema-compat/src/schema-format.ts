/** The schema types of the Confluent Schema Registry API. */
export type SchemaType = 'AVRO' | 'PROTOBUF' | 'JSON';

/** A schema another one imports, already resolved by the registry. */
export interface ResolvedReference {
  /** How the referring schema names it: an Avro full name, a .proto import path, a JSON Schema $ref URL. */
  readonly name: string;
  readonly subject: string;
  readonly version: number;
  /** The referenced schema's text. */
  readonly schema: string;
  /** Its own references, resolved the same way. */
  readonly references: readonly ResolvedReference[];
}

/** A schema that parsed, in the form its format's compatibility rules work on. */
export interface ParsedSchema {
  readonly type: SchemaType;
  /** Canonical text: equal for schemas that differ only in formatting (registering one again finds it). */
  readonly canonical: string;
}

/** Schema text that is not a valid schema of its type; the registry answers 42201. */
export class InvalidSchemaError extends Error {
  override readonly name = 'InvalidSchemaError';
}

/** One schema language: how to parse it and when a reader schema can read a writer's data. */
export interface SchemaFormat<P extends ParsedSchema = ParsedSchema> {
  readonly type: SchemaType;
  /** Parses schema text with its references; throws InvalidSchemaError saying what is wrong. */
  parse(text: string, references: readonly ResolvedReference[]): P;
  /**
   * Why data written with `writer` cannot be read with `reader`: one message per problem,
   * naming the field or element at fault. Empty when the reader can read it.
   */
  readerIncompatibilities(reader: P, writer: P): string[];
}
