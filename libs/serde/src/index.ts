export {
  type AvroResolver,
  type AvroTypeOptions,
  avroType,
  decodeAvro,
  encodeAvro,
} from './avro-codec';
export { avroTypeOptions, BIGINT_LONG } from './avro-long';
export { AvroSerde, type AvroSerdeOptions } from './avro-serde';
export { decimalText, integerOfTwosComplement, twosComplementBytes } from './connect-decimal';
export { decodeJson, encodeJson, JsonSerde } from './json-serde';
export { cachedPromise } from './promise-cache';
export {
  findMessage,
  messageAtIndexes,
  messageIndexesOf,
  type ProtobufParseOptions,
  type ProtobufSchema,
  ProtobufSchemaError,
  parseProtobufSchema,
} from './protobuf-schema';
export {
  type DecodedProtobuf,
  decodeProtobuf,
  encodeProtobuf,
  ProtobufSerde,
  type ProtobufSerdeOptions,
} from './protobuf-serde';
export { type ReferenceSource, referencesInDependencyOrder, resolveReferences } from './reference-resolver';
export {
  type RegisterOptions,
  SchemaRegistryClient,
  type SchemaRegistryClientOptions,
} from './registry-client';
export {
  SCHEMA_REGISTRY_ERROR_CODES,
  SchemaRegistryError,
  SchemaRegistryUnavailableError,
  schemaRegistryErrorFrom,
} from './registry-errors';
export type {
  ResolvedReference,
  SchemaDefinition,
  SchemaReference,
  SchemaType,
  StoredSchema,
  SubjectVersion,
} from './schema-types';
export { DeserializationError, SerializationError } from './serde-errors';
export { type SerializerOptions, schemaIdFor } from './serializer-options';
export {
  type FramedValue,
  frame,
  frameProtobuf,
  MAGIC_BYTE,
  unframe,
  unframeProtobuf,
  WireFormatError,
} from './wire-format';
