import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import type { CdcAdminService } from '@trunkline/contracts/cdc/v1/cdc_admin';
import { dropSlot, formatLsn, parseLsn } from '@trunkline/pg-replication';
import { Code, type Listener, type ServiceImpl, serviceInfo, TrunklineError } from '@trunkline/runtime';
import type { Client } from 'pg';
import type { CdcIngestor } from '../ingestor';

export interface CdcAdminContext {
  ingestor: CdcIngestor;
  /** A connection of its own for status queries, so they never wait behind the ingestor's. */
  sql: Client;
  slot: string;
  publication: string;
  instanceId: string;
  version: string;
  startedAt: Date;
  listeners(): readonly Listener[];
}

export function cdcAdmin(context: CdcAdminContext): ServiceImpl<typeof CdcAdminService> {
  const { ingestor } = context;
  const rate = eventRate(() => ingestor.eventsAcknowledged);
  // While the source is unreachable the status still answers (phase "reconnecting"), with the
  // server's last known position.
  let knownServerLsn = 0n;
  return {
    async getStatus() {
      const serverLsn = await context.sql
        .query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')
        .then(({ rows }) => parseLsn(rows[0]!.lsn))
        .catch(() => knownServerLsn);
      knownServerLsn = serverLsn;
      const confirmed = ingestor.confirmedLsn;
      const lastCommitMs = Number(ingestor.lastCommitTime);
      return {
        info: serviceInfo('cdc-ingestor', context),
        slot: context.slot,
        publication: context.publication,
        confirmedLsn: formatLsn(confirmed),
        serverLsn: formatLsn(serverLsn),
        lagBytes: serverLsn > confirmed ? serverLsn - confirmed : 0n,
        lagSeconds: lastCommitMs > 0 ? Math.max(0, (Date.now() - lastCommitMs) / 1000) : 0,
        eventsPerSecond: rate(),
        eventsSent: BigInt(ingestor.eventsAcknowledged),
        paused: ingestor.phase === 'paused',
        phase: ingestor.phase,
        tables: ingestor.tables.map((t) => ({
          table: t.name,
          topic: t.topic,
          state: t.state,
          lastError: t.lastError,
          snapshotRows: BigInt(t.snapshotRows),
          snapshotTotalRows: BigInt(t.snapshotTotalRows),
          snapshotDone: t.snapshotDone,
          eventsSent: BigInt(t.eventsSent),
        })),
        ...(lastCommitMs > 0 ? { lastCommitTime: timestampFromMs(lastCommitMs) } : {}),
        incrementalSnapshots: ingestor.snapshots.pending.map((r) => ({
          id: r.id,
          tables: [...r.tables],
          chunkSize: r.chunkSize,
        })),
        incrementalSnapshotsPaused: ingestor.snapshots.isPaused,
      };
    },
    pause() {
      ingestor.pause();
      return {};
    },
    resume() {
      ingestor.resume();
      return {};
    },
    async dropSlot(request) {
      if (request.slot !== context.slot)
        throw new TrunklineError(
          Code.InvalidArgument,
          `DropSlot names "${request.slot}"; this ingestor's slot is "${context.slot}" (name it to confirm)`,
        );
      await ingestor.stop();
      await dropSlot(context.sql, context.slot, { ifExists: true, waitInactiveMs: 10_000 });
      return {};
    },
    async triggerSnapshot(request) {
      if (request.chunkSize < 0)
        throw new TrunklineError(
          Code.InvalidArgument,
          `chunk_size must be positive, got ${request.chunkSize}`,
        );
      return { snapshotId: await ingestor.triggerSnapshot(tableNames(request.tables), request.chunkSize) };
    },
    async addTables(request) {
      return { tables: await ingestor.addTables(tableNames(request.tables)) };
    },
    async removeTables(request) {
      return { tables: await ingestor.removeTables(tableNames(request.tables)) };
    },
  };
}

/** `schema.table` names, at least one. */
function tableNames(tables: readonly string[]): string[] {
  if (tables.length === 0) throw new TrunklineError(Code.InvalidArgument, 'name at least one schema.table');
  for (const name of tables)
    if (!/^[^.]+\.[^.]+$/.test(name))
      throw new TrunklineError(Code.InvalidArgument, `"${name}" is not a schema.table name`);
  return [...tables];
}

/** Events per second over the last 10 s, sampled each time it is asked. */
function eventRate(count: () => number): () => number {
  const samples: { at: number; count: number }[] = [];
  return () => {
    const now = Date.now();
    samples.push({ at: now, count: count() });
    while (samples.length > 1 && now - samples[0]!.at > 10_000) samples.shift();
    const first = samples[0]!;
    const seconds = (now - first.at) / 1000;
    return seconds > 0 ? (count() - first.count) / seconds : 0;
  };
}
