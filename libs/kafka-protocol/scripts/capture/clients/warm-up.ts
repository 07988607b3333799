import { Kafka, logLevel } from 'kafkajs';
import type { Step } from '../step';

/**
 * Kafka creates some things on first use and answers "try again" until they exist: the
 * __consumer_offsets topic (FindCoordinator: COORDINATOR_NOT_AVAILABLE) and a block of
 * producer ids (InitProducerId: COORDINATOR_LOAD_IN_PROGRESS). Asking once before recording
 * makes the kept exchanges the ones clients see in steady state. Its frames are not kept.
 */
export const warmUp: Step = {
  client: 'warm-up',
  name: 'warm-up: group coordinator and producer ids',
  async run({ bootstrap }) {
    const kafka = new Kafka({
      clientId: 'capture-warm-up',
      brokers: [bootstrap],
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.describeGroups(['capture-warm-up']);
    } finally {
      await admin.disconnect();
    }
    // An idempotent producer asks for its producer id as it connects.
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.disconnect();
  },
};
