import { ChangesRejected, type SinkChange, type SinkTable } from '@trunkline/pipeline';
import { Code, TrunklineError } from '@trunkline/runtime';
import { documentId, toDocument } from './mappings';
import { describeErrorBody, isTransientStatus, type OpenSearchErrorBody } from './opensearch-errors';

/** One write of a bulk request and the change it comes from. */
export interface BulkWrite {
  change: SinkChange;
  id: string;
  /** The action line and, for an index action, the document line (NDJSON, each ending in \n). */
  lines: string;
}

/** What applying a batch takes, in order: bulk writes, and truncates between them. */
export type BulkStep = { kind: 'writes'; writes: BulkWrite[] } | { kind: 'truncate'; change: SinkChange };

/** A change the adapter could not apply, and why: refused for good, or for now. */
export interface FailedWrite {
  change: SinkChange;
  id?: string;
  status?: number;
  reason: string;
}

/**
 * Plans a batch: runs of changes between truncates become one bulk request each, with only the
 * change of each document that stands in the run: the last one with the highest LSN (a
 * tombstone, LSN 0, never replaces the delete before it); a truncate is a step of its own. Changes that cannot be written
 * (no key, no row) are returned as rejected.
 */
export function planBatch(
  target: string,
  table: SinkTable,
  changes: readonly SinkChange[],
): { steps: BulkStep[]; rejected: FailedWrite[] } {
  const steps: BulkStep[] = [];
  const rejected: FailedWrite[] = [];
  let run = new Map<string, BulkWrite>();
  const flush = () => {
    if (run.size > 0) steps.push({ kind: 'writes', writes: [...run.values()] });
    run = new Map();
  };
  for (const change of changes) {
    if (change.op === 't') {
      flush();
      steps.push({ kind: 'truncate', change });
      continue;
    }
    if (change.key === null) {
      rejected.push({ change, reason: `a ${change.op} change without a key` });
      continue;
    }
    const id = documentId(table.key, change.key);
    const write = writeOf(target, table, change, id);
    if (typeof write === 'string') {
      rejected.push({ change, id, reason: write });
      continue;
    }
    // A tombstone (LSN 0) after its delete must not replace it: the higher version stands.
    const previous = run.get(id);
    if (previous !== undefined && previous.change.lsn > change.lsn) continue;
    run.delete(id); // keeps the map in the order of each document's last change
    run.set(id, write);
  }
  flush();
  return { steps, rejected };
}

function writeOf(target: string, table: SinkTable, change: SinkChange, id: string): BulkWrite | string {
  const isDelete = change.op === 'd' || change.tombstone;
  if (!isDelete && change.after === null) return `a ${change.op} change without an after row`;
  const action = actionLine(isDelete ? 'delete' : 'index', target, id, change.lsn);
  const lines = isDelete
    ? action
    : `${action}${JSON.stringify(toDocument(table, change.after ?? {}, change.lsn))}\n`;
  return { change, id, lines };
}

/**
 * An action line with external versioning: `version_type: external_gte` and the LSN as the
 * version, written digit for digit (a bigint would not survive JSON.stringify).
 */
export function actionLine(action: 'index' | 'delete', index: string, id: string, lsn: bigint): string {
  if (lsn < 0n)
    throw new TrunklineError(Code.InvalidArgument, `LSN ${lsn} is negative: it cannot be a version`);
  const meta = JSON.stringify({ _index: index, _id: id, version_type: 'external_gte' });
  return `{${JSON.stringify(action)}:${meta.slice(0, -1)},"version":${lsn.toString()}}}\n`;
}

/** One item of a bulk answer: `{ index: {...} }` or `{ delete: {...} }`. */
export type BulkResponseItem = Record<
  string,
  { _id?: string; status: number; result?: string; error?: OpenSearchErrorBody }
>;

export interface BulkOutcome {
  /** Items refused for good (mapping errors, bad values): the pipeline dead-letters those. */
  rejected: FailedWrite[];
  /** Items that may succeed later (throttled, shards unavailable). */
  transient: FailedWrite[];
  /** Items refused because the document already holds a newer (or the same, deleted) version. */
  alreadyNewer: number;
}

/**
 * Sorts a bulk answer's items. A version conflict means the engine holds a newer change of that
 * document: the change is already superseded, not an error. A delete of a missing document is
 * done.
 */
export function bulkOutcome(writes: readonly BulkWrite[], items: readonly BulkResponseItem[]): BulkOutcome {
  const outcome: BulkOutcome = { rejected: [], transient: [], alreadyNewer: 0 };
  writes.forEach((write, i) => {
    const item = items[i];
    const result = item === undefined ? undefined : Object.values(item)[0];
    if (result === undefined) {
      outcome.transient.push({ change: write.change, id: write.id, reason: 'no answer for this item' });
      return;
    }
    if (result.status >= 200 && result.status < 300) return;
    if (result.status === 404 && result.result === 'not_found') return;
    if (result.status === 409 && result.error?.type === 'version_conflict_engine_exception') {
      outcome.alreadyNewer += 1;
      return;
    }
    const rejected = {
      change: write.change,
      id: write.id,
      status: result.status,
      reason: describeErrorBody(result.error),
    };
    (isTransientStatus(result.status) ? outcome.transient : outcome.rejected).push(rejected);
  });
  return outcome;
}

/** How many rejected changes an error message names; details list them all. */
const NAMED_IN_MESSAGE = 3;

function describeRejected(r: FailedWrite): string {
  const where = `${r.change.topic}[${r.change.partition}]@${r.change.offset}`;
  return `${r.id === undefined ? where : `document ${r.id} (${where})`}: ${r.reason}`;
}

/**
 * The error for changes that could not be applied: UNAVAILABLE when any may succeed on a retry
 * (the pipeline retries the batch), else ChangesRejected (INVALID_ARGUMENT) carrying each refused
 * change and its reason, for the dead-letter topic. Both name the first documents and reasons in
 * the message; `details.rejected` is a JSON array of `{topic, partition, offset, id, status,
 * reason}`, one per change. Every other change of the batch was applied.
 */
export function rejectionError(
  index: string,
  transient: FailedWrite[],
  rejected: FailedWrite[],
): TrunklineError {
  const all = transient.length > 0 ? transient : rejected;
  const named = all.slice(0, NAMED_IN_MESSAGE).map(describeRejected).join('; ');
  const more = all.length > NAMED_IN_MESSAGE ? `; and ${all.length - NAMED_IN_MESSAGE} more` : '';
  const details = {
    engine: 'opensearch',
    index,
    rejected: JSON.stringify(
      all.map((r) => ({
        topic: r.change.topic,
        partition: r.change.partition,
        offset: r.change.offset.toString(),
        id: r.id ?? null,
        status: r.status ?? null,
        reason: r.reason,
      })),
    ),
  };
  if (transient.length > 0) {
    return new TrunklineError(
      Code.Unavailable,
      `OpenSearch could not apply ${transient.length} change(s) to ${index} for now: ${named}${more}`,
      { details },
    );
  }
  return new ChangesRejected(
    `OpenSearch rejected ${rejected.length} change(s) to ${index}: ${named}${more}`,
    rejected.map((r) => ({ change: r.change, reason: r.reason })),
    details,
  );
}
