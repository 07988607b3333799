export { COMPATIBILITY_LEVELS, type CompatibilityLevel, compatibilityProblems } from './compatibility';
export {
  InvalidSchemaError,
  type ParsedSchema,
  type ResolvedReference,
  type SchemaFormat,
  type SchemaType,
} from './schema-format';
