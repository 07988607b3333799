import { kafkaClasspath, kafkaJvmOptions } from './engines/kafka';
import { engineManager } from './index';
import { javaBinary } from './java';
import { cacheDir } from './paths';

/** Kafka's Java command-line clients, by the names of the scripts Kafka ships them as. */
export const KAFKA_TOOLS = {
  'console-producer': 'org.apache.kafka.tools.ConsoleProducer',
  'console-consumer': 'org.apache.kafka.tools.consumer.ConsoleConsumer',
  'producer-perf': 'org.apache.kafka.tools.ProducerPerformance',
  'consumer-perf': 'org.apache.kafka.tools.ConsumerPerformance',
  'end-to-end-latency': 'org.apache.kafka.tools.EndToEndLatency',
  'verifiable-producer': 'org.apache.kafka.tools.VerifiableProducer',
  'verifiable-consumer': 'org.apache.kafka.tools.VerifiableConsumer',
  topics: 'org.apache.kafka.tools.TopicCommand',
  configs: 'kafka.admin.ConfigCommand',
  'consumer-groups': 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
  'delete-records': 'org.apache.kafka.tools.DeleteRecordsCommand',
} as const;

export type KafkaTool = keyof typeof KAFKA_TOOLS;

export function isKafkaTool(name: string): name is KafkaTool {
  return Object.hasOwn(KAFKA_TOOLS, name);
}

/** The command line that runs one of Kafka's Java tools, installing Kafka's jars first if needed. */
export async function kafkaToolCommand(
  tool: KafkaTool,
  args: readonly string[],
): Promise<[string, ...string[]]> {
  await engineManager().install('kafka');
  return [
    javaBinary(),
    '-Xmx512m',
    ...kafkaJvmOptions('tool'),
    '-cp',
    kafkaClasspath(cacheDir()),
    KAFKA_TOOLS[tool],
    ...args,
  ];
}
