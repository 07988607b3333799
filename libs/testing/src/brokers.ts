import { describeUnavailable, engineEnv } from './engines';

/** A Kafka-protocol broker an integration test runs against. */
export interface TestBroker {
  /** "apache" (Apache Kafka, the reference) or "trunkline". */
  readonly name: string;
  /** host:port for Kafka clients. */
  readonly bootstrap: string;
}

const KNOWN_BROKERS = ['apache'] as const;

/** The brokers named by TRUNKLINE_TEST_BROKERS (comma-separated; default: apache). */
export function testBrokerNames(): string[] {
  const names = (process.env.TRUNKLINE_TEST_BROKERS ?? 'apache')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!(KNOWN_BROKERS as readonly string[]).includes(name)) {
      throw new Error(
        `TRUNKLINE_TEST_BROKERS names "${name}"; brokers available: ${KNOWN_BROKERS.join(', ')}`,
      );
    }
  }
  return names;
}

/**
 * Runs the same describe block once per broker in TRUNKLINE_TEST_BROKERS, with identical
 * expectations; a broker that is not running is skipped with the reason printed (or fails
 * when engines are required).
 */
export function describeEachBroker(title: string, body: (broker: TestBroker) => void): void {
  for (const name of testBrokerNames()) {
    const bootstrap = engineEnv('kafka')?.KAFKA_BOOTSTRAP;
    const blockTitle = `${title} [${name}]`;
    if (bootstrap === undefined) {
      describeUnavailable(
        blockTitle,
        'Apache Kafka is not running (start it: npm run -s engine -- start kafka)',
      );
      continue;
    }
    describe(blockTitle, () => body({ name, bootstrap }));
  }
}
