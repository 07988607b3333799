import { setting } from '@trunkline/runtime';
import { COMPATIBILITY_LEVELS } from '@trunkline/schema-compat';

/** The schema registry's own flags (each also TRUNKLINE_<FLAG>), beyond host, ports and logging. */
export const schemaRegistrySettings = {
  kafkaBrokers: setting.hostPorts({
    describe: 'bootstrap brokers of the cluster holding the _schemas topic',
    default: ['127.0.0.1:9092'],
  }),
  port: setting.port({ describe: 'port of the REST API (the Confluent Schema Registry API)', default: 8081 }),
  advertisedUrl: setting.text({
    describe: 'URL other instances forward writes to (default: http://<host>:<port>)',
  }),
  topic: setting.text({ describe: 'the topic holding every schema, config and mode', default: '_schemas' }),
  groupId: setting.text({
    describe: 'consumer group through which instances elect the one leader that writes',
    default: 'schema-registry',
  }),
  leaderEligibility: setting.toggle({
    describe: 'whether this instance may be elected leader (false: it always forwards writes)',
    default: true,
  }),
  leaderSessionTimeout: setting.duration({
    describe: 'how long a silent leader keeps the leadership before another instance takes over',
    default: 10_000,
  }),
  defaultCompatibility: setting.choice(COMPATIBILITY_LEVELS, {
    describe: 'compatibility level of subjects when neither they nor the global config set one',
    default: 'BACKWARD',
  }),
  maxRequestBytes: setting.integer({
    describe: 'largest request body; a larger one is refused with 42209',
    default: 1024 * 1024,
    min: 1024,
    max: 64 * 1024 * 1024,
  }),
  writeTimeout: setting.duration({
    describe: 'how long a write may wait for an elected leader and for _schemas',
    default: 20_000,
  }),
};
