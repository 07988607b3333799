// Throughput of the schema registry's REST API: cached schema reads by id and
// registrations (on the leader, and forwarded by a follower), against the Trunkline broker
// and, when it runs (npm run -s engine -- start kafka), Apache Kafka, in the same run.
// No reference registry runs here (Confluent's is not on Maven Central), so these are
// absolute figures; compare them within one run.
//   npm run bench:schema-registry -- [--reads 100000] [--registrations 2000] [--concurrency 32] [--json]
import { randomUUID } from 'node:crypto';
import { parseSettings, setting } from '@trunkline/runtime';
import { engineEnv, TrunklineTestBroker, TrunklineTestSchemaRegistry } from '@trunkline/testing';
import { type LoadFigures, runLoad } from './http-load';

const options = parseSettings(
  {
    reads: setting.integer({ describe: 'GET /schemas/ids/{id} requests', default: 100_000, min: 100 }),
    registrations: setting.integer({ describe: 'schemas registered per case', default: 2000, min: 10 }),
    concurrency: setting.integer({
      describe: 'callers, each with one request in flight',
      default: 32,
      min: 1,
    }),
    json: setting.toggle({ describe: 'print JSON instead of a table', default: false }),
  },
  process.argv.slice(2),
  {},
);
if (options.help) {
  process.stdout.write(
    'npm run bench:schema-registry -- [--reads N] [--registrations N] [--concurrency N] [--json]\n',
  );
  process.exit(0);
}
const { reads, registrations, concurrency, json } = options.config;

interface Row extends LoadFigures {
  broker: string;
  case: string;
  concurrency: number;
}

const avroSchema = (tag: string, i: number) =>
  JSON.stringify({ type: 'record', name: `Bench${tag}`, fields: [{ name: `f${i}`, type: 'long' }] });

async function measure(broker: string, bootstrap: string): Promise<Row[]> {
  const suffix = randomUUID().slice(0, 8);
  const args = [
    '--topic',
    `_schemas-bench-${suffix}`,
    '--group-id',
    `sr-bench-${suffix}`,
    '--log-level',
    'info',
  ];
  const leader = new TrunklineTestSchemaRegistry(bootstrap, args);
  await leader.start();
  const follower = new TrunklineTestSchemaRegistry(bootstrap, args);
  await follower.start();
  const rows: Row[] = [];
  const row = (name: string, c: number, figures: LoadFigures) => {
    rows.push({ broker, case: name, concurrency: c, ...figures });
    process.stderr.write(`${broker}: ${name} (${c} callers): ${figures.perSecond.toFixed(0)}/s\n`);
  };
  try {
    await fetch(`${leader.url}/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ compatibility: 'NONE' }),
    });
    const register = (tag: string) => (i: number) => ({
      method: 'POST',
      path: `/subjects/bench-${tag}-${i % 50}/versions`,
      body: JSON.stringify({ schema: avroSchema(tag, i) }),
    });
    row(
      'register on the leader, one caller',
      1,
      await runLoad(leader.url, registrations / 4, 1, register('a')),
    );
    row(
      'register on the leader',
      concurrency,
      await runLoad(leader.url, registrations, concurrency, register('b')),
    );
    row(
      'register through a follower',
      concurrency,
      await runLoad(follower.url, registrations, concurrency, register('c')),
    );
    const ids = (await (await fetch(`${leader.url}/schemas?subjectPrefix=bench-b`)).json()) as {
      id: number;
    }[];
    const byId = (i: number) => ({ method: 'GET', path: `/schemas/ids/${ids[i % ids.length]!.id}` });
    row('GET /schemas/ids/{id} (cached)', concurrency, await runLoad(follower.url, reads, concurrency, byId));
    row('GET /schemas/ids/{id} (cached), one caller', 1, await runLoad(follower.url, reads / 10, 1, byId));
  } finally {
    await follower.stop();
    await leader.stop();
  }
  return rows;
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const broker = new TrunklineTestBroker();
  await broker.start(['--log-level', 'info']);
  try {
    rows.push(...(await measure('trunkline', broker.bootstrap)));
  } finally {
    await broker.destroy();
  }
  const kafka = engineEnv('kafka')?.KAFKA_BOOTSTRAP;
  if (kafka === undefined)
    process.stderr.write('Apache Kafka is not running: measured on the Trunkline broker only\n');
  else rows.push(...(await measure('apache', kafka)));

  if (json) {
    process.stdout.write(`${JSON.stringify({ reads, registrations, concurrency, rows }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`reads=${reads} registrations=${registrations} concurrency=${concurrency}\n\n`);
  process.stdout.write(
    '| broker under _schemas | case | callers | requests/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|---|---|\n',
  );
  for (const r of rows) {
    process.stdout.write(
      `| ${r.broker} | ${r.case} | ${r.concurrency} | ${r.perSecond.toFixed(0)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.errors} |\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
