/** Figures from Kafka's ProducerPerformance summary line. */
export interface ProducerFigures {
  recordsPerSec: number;
  mbPerSec: number;
  avgMs: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
}

/** Figures from Kafka's EndToEndLatency output. */
export interface LatencyFigures {
  avgMs: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
}

export function parseProducerPerformance(output: string): ProducerFigures {
  const match =
    /records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, [\d.]+ ms max latency, (\d+) ms 50th, \d+ ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th/.exec(
      output,
    );
  if (match === null) throw new Error(`no ProducerPerformance summary in:\n${output.slice(-2000)}`);
  const [, rps, mbps, avg, p50, p99, p999] = match.map(Number) as number[];
  return { recordsPerSec: rps!, mbPerSec: mbps!, avgMs: avg!, p50Ms: p50!, p99Ms: p99!, p999Ms: p999! };
}

export function parseEndToEndLatency(output: string): LatencyFigures {
  const avg = /Avg latency: ([\d.]+) ms/.exec(output);
  const percentiles = /Percentiles: 50th = (\d+), 99th = (\d+), 99\.9th = (\d+)/.exec(output);
  if (avg === null || percentiles === null)
    throw new Error(`no EndToEndLatency summary in:\n${output.slice(-2000)}`);
  return {
    avgMs: Number(avg[1]),
    p50Ms: Number(percentiles[1]),
    p99Ms: Number(percentiles[2]),
    p999Ms: Number(percentiles[3]),
  };
}
