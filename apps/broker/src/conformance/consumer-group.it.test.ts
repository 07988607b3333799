// A group of consumers over 6 partitions while members join, leave and are SIGKILLed: every
// record is consumed, the broker never hands one partition to two members at once, and only
// the killed member's uncommitted records are read twice. Same expectations on both brokers.
import { join } from 'node:path';
import { ChildService, describeEachBroker, tsCommand } from '@trunkline/testing';
import { AssignerProtocol, Kafka, logLevel, Partitioners } from 'kafkajs';

const MEMBER = join(__dirname, 'group-member.ts');
const PARTITIONS = 6;

interface Consumed {
  name: string;
  partition: number;
  value: string;
  at: number;
}

describeEachBroker('a consumer group of three', (broker) => {
  it('consumes every record once per member generation while members come, go and crash', async () => {
    const run = Date.now().toString(36);
    const topic = `group-${run}`;
    const group = `members-${run}`;
    const kafka = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: PARTITIONS }] });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    let produced = 0;
    const produce = async (count: number) => {
      const messages = Array.from({ length: count }, () => ({
        key: `k${produced}`,
        value: `v${produced++}`,
      }));
      await producer.send({ topic, acks: -1, messages });
    };

    // Snapshots of the broker's view: whenever the group is Stable, members own disjoint partitions covering all.
    const overlaps: string[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const { groups } = await admin.describeGroups([group]);
        const described = groups[0]!;
        if (described.state === 'Stable' && described.members.length > 0) {
          const owned = described.members.flatMap((m) => {
            const assignment = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
            return assignment?.assignment[topic] ?? [];
          });
          if (new Set(owned).size !== owned.length || owned.length !== PARTITIONS) {
            overlaps.push(
              JSON.stringify(
                described.members.map(
                  (m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment,
                ),
              ),
            );
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();

    const member = (name: string) =>
      ChildService.spawn({ command: tsCommand(MEMBER, broker.bootstrap, topic, group, name) });
    const a = member('a');
    const b = member('b');
    const joined = (m: ChildService) => m.waitForLog((e) => e.event === 'join', 30_000);
    await Promise.all([joined(a), joined(b)]);
    await produce(120);
    const c = member('c');
    await joined(c);
    await produce(120);
    await b.stop(); // graceful: commits, then leaves the group
    await produce(120);
    c.signal('SIGKILL'); // crash: its partitions move once its session expires
    await c.exited;
    await produce(120);

    const consumedBy = (members: ChildService[]): Consumed[] =>
      members.flatMap((m) => m.logs().filter((e) => e.event === 'record') as unknown as Consumed[]);
    const deadline = Date.now() + 60_000;
    while (new Set(consumedBy([a, b, c]).map((r) => r.value)).size < produced && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    watching = false;
    await watcher;

    const records = consumedBy([a, b, c]);
    const values = new Set(records.map((r) => r.value));
    expect(values.size).toBe(produced);
    // At least once: a record is read again only by a later generation, so a rebalance (a
    // join seen by some member) lies between any two reads of it.
    const joins = [a, b, c].flatMap((m) =>
      m
        .logs()
        .filter((e) => e.event === 'join')
        .map((e) => e.at as number),
    );
    const reads = new Map<string, Consumed[]>();
    for (const r of records) reads.set(r.value, [...(reads.get(r.value) ?? []), r]);
    const sameGeneration = [...reads.values()]
      .filter((rs) => rs.length > 1)
      .map((rs) => [...rs].sort((x, y) => x.at - y.at))
      .flatMap((rs) => rs.slice(1).map((later, i) => [rs[i]!, later] as const))
      .filter(([first, later]) => !joins.some((t) => t > first.at && t <= later.at));
    expect(sameGeneration).toEqual([]);
    expect(overlaps).toEqual([]);

    await a.stop();
    await producer.disconnect();
    await admin.disconnect();
  }, 120_000);
});
