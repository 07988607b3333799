import { setting } from '@trunkline/runtime';
import { keyColumnsSetting } from './capture/table-key';

/** The CDC ingestor's own flags (each also TRUNKLINE_<FLAG>), beyond host, ports and logging. */
export const cdcSettings = {
  sourceUrl: setting.text({
    describe:
      'the Postgres database to capture, postgres://user:password@host:port/db (needs wal_level=logical)',
    required: true,
  }),
  kafkaBrokers: setting.hostPorts({
    describe: 'bootstrap brokers to write change topics to',
    default: ['127.0.0.1:9092'],
  }),
  schemaRegistryUrl: setting.text({
    describe: 'schema registry the key and value schemas are registered with',
    default: 'http://127.0.0.1:8081',
  }),
  tables: setting.text({
    describe: 'tables to capture: comma-separated schema.table patterns, * matching any run of characters',
    default: 'public.*',
  }),
  excludeTables: setting.text({ describe: 'tables not to capture, as patterns like --tables' }),
  keyColumns: keyColumnsSetting({
    describe:
      "message key columns of tables, Debezium's message.key.columns: for a table without a primary key, or over its primary key",
  }),
  topicPrefix: setting.text({ describe: 'change topics are <prefix>.<schema>.<table>', default: 'pg' }),
  slotName: setting.text({
    describe: 'logical replication slot (created if missing, reused after restarts)',
    default: 'trunkline',
  }),
  publicationName: setting.text({
    describe: 'publication of the captured tables (created if missing)',
    default: 'trunkline',
  }),
  snapshotMode: setting.choice(['initial', 'never', 'initial-only', 'when-needed'] as const, {
    describe:
      'initial: snapshot once, then stream; never: stream only; initial-only: snapshot and stop; when-needed: snapshot whenever the slot had to be created',
    default: 'initial',
  }),
  snapshotChunkSize: setting.integer({
    describe: 'rows per snapshot query',
    default: 10_000,
    min: 1,
    max: 1_000_000,
  }),
  incrementalSnapshotChunkSize: setting.integer({
    describe: 'rows per chunk of an incremental snapshot (TriggerSnapshot, signals) unless the request says',
    default: 1024,
    min: 1,
    max: 1_000_000,
  }),
  signalTable: setting.text({
    describe:
      'schema.table whose inserted rows (id, type, data) are signals such as execute-snapshot, as in Debezium',
  }),
  valueFormat: setting.choice(['avro', 'protobuf', 'json'] as const, {
    describe: 'encoding of keys and values (Confluent wire format, schemas in the registry)',
    default: 'avro',
  }),
  heartbeatInterval: setting.duration({
    describe: 'how often the slot is moved on when captured tables are idle (0s: never)',
    default: 10_000,
  }),
  provideTransactionMetadata: setting.toggle({
    describe:
      'BEGIN/END records on <prefix>.transaction and a transaction block (id, total_order, data_collection_order) in every change event, as Debezium',
    default: false,
  }),
  maxBufferedBytes: setting.integer({
    describe: 'change events held for the broker before reading the slot pauses',
    default: 64 * 1024 * 1024,
    min: 1024 * 1024,
  }),
  stateTopic: setting.text({
    describe: 'compacted topic where the ingestor records its snapshot progress',
    default: '__trunkline_cdc_state',
  }),
};
