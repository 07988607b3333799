// A process that applies batches to a SqliteSearchEngine without end, printing `ack <nextOffset>`
// after each `apply` returns, until it is killed. Run by sqlite-crash.it.test.ts.
import type { SinkBatch, SinkChange, SinkTable } from '@trunkline/pipeline';
import { SqliteSearchEngine } from './sqlite-search-engine';

export const crashTable: SinkTable = {
  name: 'crash.items',
  topic: 'crash.crash.items',
  key: ['id'],
  columns: [
    { name: 'id', type: 'integer', nullable: false },
    { name: 'text', type: 'string', nullable: true },
  ],
  schemaId: 1,
};

export const BATCH_SIZE = 10n;

/** The change at `offset`: deterministic, so a test can compute the state any prefix leaves. */
export function changeAt(offset: bigint): SinkChange {
  const id = Number(offset % 37n);
  const deletes = offset % 7n === 3n;
  return {
    topic: crashTable.topic,
    partition: 0,
    offset,
    table: crashTable.name,
    key: { id },
    op: deletes ? 'd' : 'u',
    before: null,
    after: deletes ? null : { id, text: `item w${offset}` },
    lsn: offset / 2n + 1n, // pairs of changes share an LSN, as in one transaction
    commitTimeMs: 0,
    tombstone: false,
  };
}

export function batchAt(start: bigint): SinkBatch {
  const changes = Array.from({ length: Number(BATCH_SIZE) }, (_, i) => changeAt(start + BigInt(i)));
  return {
    topic: crashTable.topic,
    partition: 0,
    table: crashTable,
    changes,
    nextOffset: start + BATCH_SIZE,
  };
}

async function main(path: string): Promise<void> {
  const engine = await SqliteSearchEngine.open({ path });
  await engine.prepare(crashTable);
  let next = (await engine.storedOffsets(crashTable.topic)).get(0) ?? 0n;
  for (;;) {
    await engine.apply(batchAt(next));
    next += BATCH_SIZE;
    process.stdout.write(`ack ${next}\n`);
  }
}

if (require.main === module) {
  main(process.argv[2]!).catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  });
}
