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

const notYet = (what: string) => {
  throw new TrunklineError(Code.Unimplemented, `${what} is not available in this version of the ingestor`);
};

export function cdcAdmin(context: CdcAdminContext): ServiceImpl<typeof CdcAdminService> {
  const { ingestor } = context;
  const rate = eventRate(() => ingestor.eventsAcknowledged);
  return {
    async getStatus() {
      const { rows } = await context.sql.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
      const serverLsn = parseLsn(rows[0]!.lsn);
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
      await dropSlot(context.sql, context.slot, { ifExists: true });
      return {};
    },
    triggerSnapshot: () => notYet('an incremental snapshot'),
    addTables: () => notYet('adding tables at runtime'),
    removeTables: () => notYet('removing tables at runtime'),
  };
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
