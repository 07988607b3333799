export { avroTypeOptions, BIGINT_LONG, decimalText } from '@trunkline/serde';
export type {
  AvroSchema,
  ColumnCodec,
  ColumnValue,
  Json,
  JsonSchema,
  ProtobufFieldType,
} from './codec-types';
export {
  arrayCodec,
  type ColumnType,
  columnCodec,
  isUnchangedToast,
  parseColumnValue,
  UNCHANGED_TOAST,
  type UnchangedToast,
  VECTOR,
} from './column-codec';
export {
  type ColumnDescription,
  describeColumns,
  type ReplicaIdentity,
  type TableDescription,
} from './column-type';
export { ColumnValueError } from './column-value-error';
export { decimalBytes, numericModifier } from './decimal';
export { jsonRowText } from './json-row';
export { adjustName } from './names';
export { type ArrayText, parseArrayText } from './pg-array';
export {
  avroRowSchema,
  jsonRowSchema,
  parseRow,
  protobufRowSchema,
  type RowField,
  type RowPart,
  rowKey,
  type TableCodec,
  tableCodec,
} from './record-schema';
export {
  DATE_INFINITY,
  DATE_MINUS_INFINITY,
  parseDate,
  parseInterval,
  parseTime,
  parseTimestamp,
  TIMESTAMP_INFINITY,
  TIMESTAMP_MINUS_INFINITY,
} from './temporal';
export { parseBytea } from './text-codecs';
