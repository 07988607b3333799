export { kafkaLogCreator } from './kafka-logging';
export { BrokerConnection, ConnectionError } from './producer/broker-connection';
export { IdempotentProducer, type IdempotentProducerOptions } from './producer/idempotent-producer';
export { murmur2 } from './producer/key-partitioner';
export { type OutgoingRecord, writeRecordBatch } from './producer/record-batch-writer';
