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
    /** From launching the engine's process until the consumer had every snapshot row. */
    seconds: number;
    rowsPerSec: number;
    /** From launch until the first snapshot row reached the consumer (startup, slot, first query). */
    firstRowSeconds: number;
    /** From launch until the engine itself logged its snapshot done (Trunkline's ingestor). */
    doneLoggedSeconds?: number;
  };
  streaming: { load: StreamLoad; latency: LatencyFigures };
}

export const progress = (message: string): void => {
  process.stderr.write(`${message}\n`);
};
