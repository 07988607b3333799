import { EngineManager } from './engine-manager';
import { kafkaEngine } from './engines/kafka';
import { opensearchEngine } from './engines/opensearch';
import { pgvectorEngine } from './engines/pgvector';
import { postgresEngine } from './engines/postgres';
import { s3Engine } from './engines/s3';

export type { Engine, EngineEnv } from './engine';
export { EngineManager, type EngineStatus, type StartOptions } from './engine-manager';
export { runningEngineEnv } from './engine-state';
export {
  createKafkaEngine,
  KAFKA_VERSION,
  type KafkaEngineOptions,
  kafkaClasspath,
  kafkaJvmOptions,
} from './engines/kafka';
export { PGVECTOR_VERSION } from './engines/pgvector';
export { POSTGRES_TEST_DATABASE } from './engines/postgres';
export { javaBinary } from './java';
export { installKcat } from './kcat';
export { cacheDir, enginesHome, runRoot } from './paths';
export { freePort, isListening } from './ports';
export { installPythonClients, pythonClientsDir, pythonClientsPython } from './python-clients';

/** Every reference engine, in the order `.ci/run` starts them. */
export const engines = [kafkaEngine, postgresEngine, s3Engine, opensearchEngine, pgvectorEngine] as const;

export function engineManager(): EngineManager {
  return new EngineManager(engines);
}
export { DEBEZIUM_VERSION, debeziumBenchCommand } from './debezium';
export { isKafkaTool, KAFKA_TOOLS, type KafkaTool, kafkaToolCommand } from './kafka-tools';
