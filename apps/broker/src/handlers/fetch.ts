import { ErrorCode, Fetch } from '@trunkline/kafka-protocol';
import { OffsetOutOfRangeError, type PartitionLog } from '@trunkline/log-store';
import type { BrokerState } from '../broker-state';
import { defineHandler } from './handler';

const EMPTY = Buffer.alloc(0);

interface Wanted {
  topic: string;
  topicId: Buffer;
  partition: number;
  fetchOffset: bigint;
  maxBytes: number;
  log: PartitionLog | undefined;
  unknownCode: number;
}

interface PartitionData {
  partitionIndex: number;
  errorCode: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
  abortedTransactions: null;
  records: Buffer;
}

async function readPartition(
  wanted: Wanted,
  budget: { bytes: number; first: boolean },
): Promise<PartitionData> {
  const log = wanted.log;
  if (log === undefined) {
    return {
      partitionIndex: wanted.partition,
      errorCode: wanted.unknownCode,
      highWatermark: -1n,
      lastStableOffset: -1n,
      logStartOffset: -1n,
      abortedTransactions: null,
      records: EMPTY,
    };
  }
  const base = {
    partitionIndex: wanted.partition,
    highWatermark: log.highWatermark,
    lastStableOffset: log.highWatermark,
    logStartOffset: log.logStartOffset,
    abortedTransactions: null,
  };
  try {
    // The first partition with data always gets at least one batch, so consumers progress.
    const limit = Math.min(wanted.maxBytes, budget.first ? Math.max(budget.bytes, 1) : budget.bytes);
    const records =
      limit <= 0 && !budget.first ? EMPTY : await log.read(wanted.fetchOffset, Math.max(limit, 1));
    if (records.length > 0) {
      budget.bytes -= records.length;
      budget.first = false;
    }
    return { ...base, errorCode: ErrorCode.NONE, records };
  } catch (error) {
    if (error instanceof OffsetOutOfRangeError)
      return { ...base, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, records: EMPTY };
    throw error;
  }
}

/**
 * Fetch with Kafka's long poll: answer at once when there are minBytes of data (or an
 * error), else wait up to maxWaitMs for an append to any requested partition. Fetch
 * sessions are not kept: every answer has session id 0, so clients send full requests.
 */
export const fetchHandler = defineHandler<typeof Fetch, BrokerState>({
  api: Fetch,
  versions: '4-18',
  async handle(request, { state, version, signal }) {
    const byId = version >= 13;
    const wanted: Wanted[] = request.topics.flatMap((t) => {
      const topic = byId ? state.topics.topicById(t.topicId) : state.topics.topic(t.topic);
      return t.partitions.map((p) => ({
        topic: topic?.name ?? t.topic,
        topicId: t.topicId,
        partition: p.partition,
        fetchOffset: p.fetchOffset,
        maxBytes: p.partitionMaxBytes,
        log: topic === undefined ? undefined : state.topics.partition(topic.name, p.partition),
        unknownCode:
          byId && topic === undefined ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      }));
    });
    const deadline = Date.now() + Math.max(0, request.maxWaitMs);
    let results: { wanted: Wanted; data: PartitionData }[];
    for (;;) {
      const budget = { bytes: request.maxBytes, first: true };
      results = [];
      for (const w of wanted) results.push({ wanted: w, data: await readPartition(w, budget) });
      const bytes = results.reduce((sum, r) => sum + r.data.records.length, 0);
      const failed = results.some((r) => r.data.errorCode !== ErrorCode.NONE);
      const remaining = deadline - Date.now();
      if (bytes >= request.minBytes || failed || remaining <= 0 || signal.aborted || wanted.length === 0)
        break;
      const logs = wanted.flatMap((w) => (w.log === undefined ? [] : [w.log]));
      const abort = new AbortController();
      const stop = () => abort.abort();
      signal.addEventListener('abort', stop, { once: true });
      await Promise.race(logs.map((log) => log.waitForAppend(remaining, abort.signal)));
      abort.abort();
      signal.removeEventListener('abort', stop);
    }
    const topics = new Map<string, { topic: string; topicId: Buffer; partitions: PartitionData[] }>();
    for (const { wanted: w, data } of results) {
      const key = byId ? w.topicId.toString('hex') : w.topic;
      const entry = topics.get(key) ?? { topic: w.topic, topicId: w.topicId, partitions: [] };
      entry.partitions.push(data);
      topics.set(key, entry);
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, responses: [...topics.values()] };
  },
});
