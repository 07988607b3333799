// One consumer-group member as its own process, so a test can SIGKILL it. Prints JSON lines:
// {"event":"join",...} at every rebalance and {"event":"record",...} per record consumed.
import { Kafka, logLevel } from 'kafkajs';

const args = process.argv.slice(2);
if (args.length !== 4) {
  process.stderr.write('usage: group-member <bootstrap> <topic> <group> <name>\n');
  process.exit(2);
}
const [bootstrap, topic, groupId, name] = args as [string, string, string, string];

const consumer = new Kafka({ clientId: name, brokers: [bootstrap], logLevel: logLevel.NOTHING }).consumer({
  groupId,
  sessionTimeout: 6000,
  heartbeatInterval: 500,
  rebalanceTimeout: 10000,
});
let memberId = '';
const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
  memberId = payload.memberId;
  print({ event: 'join', name, memberId, at: Date.now(), assignment: payload.memberAssignment });
});

async function main(): Promise<void> {
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommitThreshold: 1,
    eachMessage: async ({ partition, message }) => {
      print({
        event: 'record',
        name,
        memberId,
        at: Date.now(),
        partition,
        offset: message.offset,
        value: message.value?.toString(),
      });
    },
  });
  print({ event: 'running', name });
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void consumer.disconnect().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
