import {
  type CleaningResult,
  type CompactionPolicy,
  cleanLog,
  IoThrottle,
  KeyOffsetMap,
  type RetentionPolicy,
} from '@trunkline/log-store';
import type { Logger } from '@trunkline/runtime';
import type { ProducerStateManager } from '../producers/producer-state';
import { cleanupPolicy, configNumber } from '../topics/topic-config';
import type { TopicManager } from '../topics/topic-manager';

export interface MaintenanceSettings {
  retentionCheckIntervalMs: number;
  cleanerBackoffMs: number;
  dedupeBufferBytes: number;
  cleanerIoBytesPerSecond: number;
  tierUploadIntervalMs: number;
}

function retentionPolicy(configs: Readonly<Record<string, string>>): RetentionPolicy {
  return {
    retentionMs: configNumber(configs, 'retention.ms'),
    retentionBytes: configNumber(configs, 'retention.bytes'),
  };
}

/** local.retention.*; -2 means "as retention.*", as in Kafka. */
function localRetentionPolicy(configs: Readonly<Record<string, string>>): RetentionPolicy {
  const total = retentionPolicy(configs);
  const ms = configNumber(configs, 'local.retention.ms');
  const bytes = configNumber(configs, 'local.retention.bytes');
  return {
    retentionMs: ms === -2 ? total.retentionMs : ms,
    retentionBytes: bytes === -2 ? total.retentionBytes : bytes,
  };
}

function compactionPolicy(configs: Readonly<Record<string, string>>): CompactionPolicy {
  return {
    deleteRetentionMs: configNumber(configs, 'delete.retention.ms'),
    minCompactionLagMs: configNumber(configs, 'min.compaction.lag.ms'),
    maxCompactionLagMs: configNumber(configs, 'max.compaction.lag.ms'),
    minCleanableDirtyRatio: configNumber(configs, 'min.cleanable.dirty.ratio'),
  };
}

/**
 * The broker's background work on its logs, one partition at a time: retention every
 * check interval on topics whose cleanup.policy has `delete`, and a log cleaner that
 * compacts topics whose policy has `compact` (internal ones too), sleeping for the backoff
 * whenever no partition is due.
 */
export class LogMaintenance {
  private readonly stopped = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly keyMap: KeyOffsetMap;
  private readonly throttle: IoThrottle;
  /** Partitions whose cleaning failed: skipped until restart, as Kafka marks them uncleanable. */
  private readonly uncleanable = new Set<string>();

  constructor(
    private readonly topics: TopicManager,
    private readonly producers: ProducerStateManager,
    private readonly logger: Logger,
    private readonly settings: MaintenanceSettings,
  ) {
    this.keyMap = new KeyOffsetMap(settings.dedupeBufferBytes);
    this.throttle = new IoThrottle(settings.cleanerIoBytesPerSecond);
  }

  start(): void {
    this.loops.push(this.loop(this.settings.retentionCheckIntervalMs, () => this.enforceRetention()));
    this.loops.push(this.loop(this.settings.cleanerBackoffMs, () => this.cleanDueLogs()));
    if (this.topics.tier !== undefined)
      this.loops.push(this.loop(this.settings.tierUploadIntervalMs, () => this.uploadToTier()));
  }

  /** Runs `round` until stopped; a round that found work runs again at once, else after `pauseMs`. */
  private async loop(pauseMs: number, round: () => Promise<boolean>): Promise<void> {
    while (!this.stopped.signal.aborted) {
      let busy = false;
      try {
        busy = await round();
      } catch (error) {
        this.logger.error({ err: error }, 'log maintenance round failed');
      }
      if (!busy) await this.sleep(pauseMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const signal = this.stopped.signal;
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private *logs(filter: (policy: { delete: boolean; compact: boolean }) => boolean) {
    for (const topic of this.topics.list()) {
      if (!filter(cleanupPolicy(topic.configs))) continue;
      for (const [partition, log] of this.topics.partitions(topic.name).entries()) {
        if (log !== undefined) yield { topic, partition, log };
      }
    }
  }

  /** One retention round over every partition; false, since the next round waits for the interval anyway. */
  async enforceRetention(now = Date.now()): Promise<boolean> {
    for (const { topic, partition, log } of this.logs((p) => p.delete)) {
      if (this.stopped.signal.aborted) break;
      const plan = await log.enforceRetention(
        retentionPolicy(topic.configs),
        now,
        log.tiered ? localRetentionPolicy(topic.configs) : undefined,
      );
      if (plan.count > 0) {
        this.logger.info(
          {
            topic: topic.name,
            partition,
            segments: plan.count,
            reason: plan.reason,
            logStartOffset: String(log.logStartOffset),
          },
          'retention deleted segments',
        );
      }
      if (plan.local !== undefined && plan.local.count > 0) {
        this.logger.debug(
          { topic: topic.name, partition, segments: plan.local.count, reason: `local.${plan.local.reason}` },
          'local retention deleted segments the tier holds',
        );
      }
    }
    return false;
  }

  /** Cleans every compacted partition that is due; true when some pass ran. */
  async cleanDueLogs(): Promise<boolean> {
    let cleaned = false;
    for (const { topic, partition, log } of this.logs((p) => p.compact)) {
      if (this.stopped.signal.aborted) break;
      const key = `${topic.name}-${partition}`;
      if (this.uncleanable.has(key)) continue;
      let result: CleaningResult | undefined;
      try {
        result = await cleanLog(log, compactionPolicy(topic.configs), {
          keyMap: this.keyMap,
          throttle: this.throttle,
          signal: this.stopped.signal,
          keepsProducerBatch: (batch) =>
            this.producers.remembers(topic.name, partition, batch.producerId, batch.baseOffset),
        });
      } catch (error) {
        if (this.stopped.signal.aborted) break;
        this.uncleanable.add(key);
        this.logger.error(
          { err: error, topic: topic.name, partition },
          'cleaning failed; the partition is left uncompacted until restart',
        );
        continue;
      }
      if (result === undefined) continue;
      cleaned = true;
      this.logger.info(
        {
          topic: topic.name,
          partition,
          reason: result.plan.reason,
          segments: result.segmentsCleaned,
          bytesBefore: result.bytesBefore,
          bytesAfter: result.bytesAfter,
          recordsRemoved: result.recordsRemoved,
          tombstonesRemoved: result.tombstonesRemoved,
        },
        'log cleaned',
      );
    }
    return cleaned;
  }

  /** Uploads every closed segment of tiered partitions the tier lacks; false: the next round waits for the interval. */
  async uploadToTier(): Promise<boolean> {
    for (const { topic, partition, log } of this.logs(() => true)) {
      if (this.stopped.signal.aborted) break;
      if (!log.tiered) continue;
      try {
        const count = await log.uploadToTier();
        if (count > 0)
          this.logger.debug(
            { topic: topic.name, partition, segments: count },
            'segments uploaded to the tier',
          );
      } catch (error) {
        this.logger.warn(
          { err: error, topic: topic.name, partition },
          'tier upload failed; retrying next round',
        );
      }
    }
    return false;
  }

  async close(): Promise<void> {
    this.stopped.abort();
    await Promise.all(this.loops);
  }
}
