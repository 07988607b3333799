export { type AvroSchema, avroFormat } from './avro/avro-format';
export { COMPATIBILITY_LEVELS, type CompatibilityLevel, compatibilityProblems } from './compatibility';
export { type JsonSchema, jsonSchemaFormat } from './json/json-schema-format';
export { protoTextFromDescriptor } from './protobuf/descriptor-to-proto';
export { descriptorFromProtoText } from './protobuf/proto-to-descriptor';
export { normalizeProtobufInput, type ProtobufSchema, protobufFormat } from './protobuf/protobuf-format';
export {
  InvalidSchemaError,
  type ParsedSchema,
  type ResolvedReference,
  type SchemaFormat,
  type SchemaType,
} from './schema-format';
