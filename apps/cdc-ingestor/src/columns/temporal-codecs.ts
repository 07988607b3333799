import type { ColumnCodec } from './codec-types';
import { parseDate, parseInterval, parseTime, parseTimestamp } from './temporal';

/** date → days since 1970-01-01 (Avro int, logical type date; Debezium's io.debezium.time.Date). */
export const DATE: ColumnCodec = {
  pgType: 'date',
  parsesToNull: false,
  parse: parseDate,
  avro: { type: 'int', logicalType: 'date', 'connect.name': 'io.debezium.time.Date' },
  jsonSchema: { type: 'integer', 'connect.type': 'int32', title: 'io.debezium.time.Date' },
  protobuf: { type: 'int32', repeated: false },
};

/** time → microseconds since midnight, a bigint (Avro time-micros; io.debezium.time.MicroTime). */
export const TIME: ColumnCodec = {
  pgType: 'time',
  parsesToNull: false,
  parse: parseTime,
  avro: { type: 'long', logicalType: 'time-micros', 'connect.name': 'io.debezium.time.MicroTime' },
  jsonSchema: { type: 'integer', 'connect.type': 'int64', title: 'io.debezium.time.MicroTime' },
  protobuf: { type: 'int64', repeated: false },
};

/**
 * timestamp → microseconds since the epoch of the local date-time read as UTC, a bigint (Avro
 * timestamp-micros; Debezium's io.debezium.time.MicroTimestamp).
 */
export const TIMESTAMP: ColumnCodec = {
  pgType: 'timestamp',
  parsesToNull: false,
  parse: (text) => parseTimestamp(text, false),
  avro: {
    type: 'long',
    logicalType: 'timestamp-micros',
    'connect.name': 'io.debezium.time.MicroTimestamp',
  },
  jsonSchema: { type: 'integer', 'connect.type': 'int64', title: 'io.debezium.time.MicroTimestamp' },
  protobuf: { type: 'int64', repeated: false },
};

/**
 * timestamptz → microseconds since the epoch in UTC, a bigint (Avro timestamp-micros). Debezium
 * writes a ZonedTimestamp string here; Trunkline writes the instant, the offset being the
 * session's TimeZone and no part of the value.
 */
export const TIMESTAMPTZ: ColumnCodec = {
  pgType: 'timestamptz',
  parsesToNull: false,
  parse: (text) => parseTimestamp(text, true),
  avro: { type: 'long', logicalType: 'timestamp-micros' },
  jsonSchema: { type: 'integer', 'connect.type': 'int64' },
  protobuf: { type: 'int64', repeated: false },
};

/**
 * interval → an ISO-8601 duration string, "P1Y2M3DT4H5M6.5S" (Debezium's
 * interval.handling.mode=string, io.debezium.time.Interval): exact, where micros would have to
 * fold months and days into a guessed length.
 */
export const INTERVAL: ColumnCodec = {
  pgType: 'interval',
  parsesToNull: false,
  parse: parseInterval,
  avro: { type: 'string', 'connect.name': 'io.debezium.time.Interval' },
  jsonSchema: { type: 'string', title: 'io.debezium.time.Interval' },
  protobuf: { type: 'string', repeated: false },
};
