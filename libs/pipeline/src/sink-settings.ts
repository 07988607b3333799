import { type Setting, setting } from '@trunkline/runtime';
import { TopicSelection } from './topic-selection';

/** Flags every sink service takes (each also TRUNKLINE_<FLAG>), beyond host, ports and logging. */
export function sinkSettings(service: string) {
  return {
    kafkaBrokers: setting.hostPorts({
      describe: 'bootstrap brokers to read change topics from',
      default: ['127.0.0.1:9092'],
    }),
    schemaRegistryUrl: setting.text({
      describe: 'schema registry the change events are decoded through',
      default: 'http://127.0.0.1:8081',
    }),
    topics: topicsSetting('pg\\..*'),
    group: setting.text({
      describe: 'consumer group every instance of this service joins (instances share its partitions)',
      default: `trunkline-${service}`,
    }),
    maxBatchRecords: setting.integer({
      describe: 'most changes written to the engine at once',
      default: 2000,
      min: 1,
      max: 100_000,
    }),
    topicRefreshInterval: setting.duration({
      describe: 'how often the broker is asked for new topics matching --topics',
      default: 5000,
    }),
    sessionTimeout: setting.duration({
      describe:
        "how long the group waits for a silent instance's heartbeat before moving its partitions to the others",
      default: 10_000,
    }),
    retryBackoffMax: setting.duration({
      describe: 'longest wait between retries while the engine is unavailable',
      default: 10_000,
    }),
  };
}

/** `--topics`: a list of names or a regular expression; an invalid expression is refused at start. */
function topicsSetting(defaultValue: string): Setting<TopicSelection> {
  return {
    describe:
      "change topics: a comma-separated list, or a regular expression matched against whole names, e.g. 'pg\\..*' (new matching topics are picked up)",
    expected: 'topic names separated by commas, or a valid regular expression',
    placeholder: '<topics>',
    defaultValue: TopicSelection.parse(defaultValue),
    required: false,
    parse(raw) {
      try {
        const selection = TopicSelection.parse(raw);
        return selection.isPattern || selection.description !== '' ? selection : undefined;
      } catch {
        return undefined;
      }
    },
    format: (value) => value.description,
  };
}
