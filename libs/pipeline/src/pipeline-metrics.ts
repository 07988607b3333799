import { Counter, Histogram, type Registry } from 'prom-client';

/** The Prometheus metrics every sink service exports. */
export interface PipelineMetrics {
  /** Source commit to visible in the engine, per table. */
  freshness: Histogram<'table'>;
  applied: Counter<'table' | 'op'>;
  deadLetters: Counter<string>;
}

export function pipelineMetrics(registry: Registry): PipelineMetrics {
  return {
    freshness: new Histogram({
      name: 'trunkline_sink_freshness_seconds',
      help: 'Time from a change committing in the source to being visible in the engine',
      labelNames: ['table'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    applied: new Counter({
      name: 'trunkline_sink_changes_applied_total',
      help: 'Changes applied to the engine',
      labelNames: ['table', 'op'],
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'trunkline_sink_dead_letters_total',
      help: 'Records sent to dead-letter topics',
      registers: [registry],
    }),
  };
}
