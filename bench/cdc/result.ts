import type { LatencyFigures } from './latency';
import type { StreamLoad } from './workload';

export interface Workload {
  rows: number;
  rate: number;
  seconds: number;
}

/** What one engine did with the workload. */
export interface EngineResult {
  engine: string;
  snapshot: {
    rows: number;
    /**
     * From launching the engine's process until every snapshot row was delivered: Debezium's,
     * handed to its in-process consumer; Trunkline's, acknowledged by the broker (the topic's
     * high watermark reached the row count), or with --snapshot-timing consumed, read by a
     * kafkajs consumer running alongside.
     */
    seconds: number;
    rowsPerSec: number;
    /** From launch until the first snapshot row was delivered, in the same sense (startup, slot, first query). */
    firstRowSeconds: number;
    /** From launch until the engine itself logged its snapshot done (Trunkline's ingestor). */
    doneLoggedSeconds?: number;
    /** CPU seconds each of Trunkline's processes used until the snapshot was delivered (the ingestor's from its launch). */
    cpuSeconds?: { ingestor: number; broker: number };
  };
  streaming: { load: StreamLoad; latency: LatencyFigures };
}

export const progress = (message: string): void => {
  process.stderr.write(`${message}\n`);
};
