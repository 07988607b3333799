import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { LogBoundary } from '@trunkline/contracts';
import {
  GetStatusResponseSchema,
  ListDeadLettersResponseSchema,
  ReplayMode,
  ReplayStatusSchema,
} from '@trunkline/contracts/sink/v1/sink_admin';
import { UsageError } from '../command';
import {
  defaultSinkPort,
  dlqArgs,
  formatSeconds,
  parseReplayFrom,
  renderDeadLetters,
  renderReplayLine,
  renderRetry,
  renderSinkStatus,
  replayPercent,
  serviceArg,
  sinkAdminAddress,
  truncate,
} from './sinks';

const AT = Date.parse('2026-01-02T03:04:05Z');

describe('sinks arguments', () => {
  it('defaults the service to search-indexer and rejects unknown or extra names', () => {
    expect(serviceArg([], 'status')).toBe('search-indexer');
    expect(serviceArg(['vector-indexer'], 'status')).toBe('vector-indexer');
    expect(() => serviceArg(['earliest'], 'replay')).toThrow(/unknown sink service "earliest"/);
    expect(() => serviceArg(['search-indexer', 'x'], 'status')).toThrow(UsageError);
  });

  it('parses dlq [list|retry] [<service>]', () => {
    expect(dlqArgs([])).toEqual({ action: 'list', service: 'search-indexer' });
    expect(dlqArgs(['retry'])).toEqual({ action: 'retry', service: 'search-indexer' });
    expect(dlqArgs(['list', 'bronze-writer'])).toEqual({ action: 'list', service: 'bronze-writer' });
    expect(dlqArgs(['bronze-writer'])).toEqual({ action: 'list', service: 'bronze-writer' });
    expect(() => dlqArgs(['retry', 'bronze-writer', 'more'])).toThrow(UsageError);
    expect(() => dlqArgs(['purge'])).toThrow(/unknown sink service "purge"/);
  });

  it("takes the service's gRPC port unless --sink-admin is given", () => {
    expect(defaultSinkPort('search-indexer')).toBe(50054);
    expect(sinkAdminAddress('search-indexer', undefined)).toEqual(['127.0.0.1:50054']);
    expect(sinkAdminAddress('search-indexer', ['10.0.0.5:6000'])).toEqual(['10.0.0.5:6000']);
    expect(sinkAdminAddress('vector-indexer', undefined, () => 50055)).toEqual(['127.0.0.1:50055']);
    expect(() => sinkAdminAddress('warehouse-loader', undefined, () => undefined)).toThrow(/--sink-admin/);
  });

  it('reads --from as earliest, a bare offset, an ISO time or the prefixed forms', () => {
    expect(parseReplayFrom('earliest').spec).toEqual({ case: 'boundary', value: LogBoundary.EARLIEST });
    expect(parseReplayFrom('42').spec).toEqual({ case: 'offset', value: 42n });
    expect(parseReplayFrom('offset:7').spec).toEqual({ case: 'offset', value: 7n });
    const time = parseReplayFrom('2026-01-02T03:04:05Z').spec;
    expect(time.case).toBe('timestamp');
    expect(time.case === 'timestamp' && Number(time.value.seconds) * 1000).toBe(AT);
    expect(parseReplayFrom('timestamp:2026-01-02T03:04:05Z').spec.case).toBe('timestamp');
    expect(() => parseReplayFrom('latest')).toThrow(/replays nothing/);
    expect(() => parseReplayFrom('yesterday')).toThrow(/--from "yesterday" is invalid/);
    expect(() => parseReplayFrom('2026-13-45')).toThrow(/--from "2026-13-45" is invalid/);
  });
});

describe('sinks rendering', () => {
  it('formats durations and truncates reasons', () => {
    expect(formatSeconds(0.042)).toBe('42ms');
    expect(formatSeconds(1.25)).toBe('1.3s');
    expect(formatSeconds(125)).toBe('2m05s');
    expect(formatSeconds(7300)).toBe('2h01m');
    expect(truncate('a  b\nc', 10)).toBe('a b c');
    expect(truncate('abcdefghijk', 5)).toBe('abcd…');
  });

  it('shows replay progress, capped below 100% until done', () => {
    const replay = create(ReplayStatusSchema, {
      replayId: 'r1',
      mode: ReplayMode.IN_PLACE,
      phase: 'reading',
      recordsDone: 1200n,
      recordsTotal: 4000n,
      etaSeconds: 125,
    });
    expect(replayPercent(replay)).toBe(30);
    expect(renderReplayLine(replay)).toBe(
      '[#########.....................]  30%  1,200/4,000 records  reading  ETA 2m05s',
    );
    expect(replayPercent({ ...replay, recordsDone: 4000n, phase: 'swapping' })).toBe(99);
    expect(renderReplayLine({ ...replay, phase: 'done', recordsDone: 4000n })).toBe(
      `[${'#'.repeat(30)}] 100%  4,000/4,000 records  done`,
    );
    expect(renderReplayLine({ ...replay, recordsTotal: 0n, etaSeconds: 0 })).toBe(
      `[${'?'.repeat(30)}]    ?  1,200/? records  reading  ETA ?`,
    );
  });

  it('renders the status header and the partitions, sorted', () => {
    const status = create(GetStatusResponseSchema, {
      info: { service: 'search-indexer', version: '0.1.0', instanceId: 'host-1' },
      group: 'trunkline.search-indexer',
      engine: 'sqlite /data/search.db',
      phase: 'replaying',
      eventsPerSecond: 12.34,
      eventsApplied: 4567n,
      freshnessP50Seconds: 0.4,
      freshnessP99Seconds: 1.25,
      freshnessSamples: 250n,
      deadLettersSent: 3n,
      deadLettersWaiting: 2n,
      lastError: 'engine\nunavailable',
      lastErrorTime: timestampFromMs(AT),
      replay: {
        replayId: 'r1',
        mode: ReplayMode.REBUILD,
        phase: 'reading',
        recordsDone: 10n,
        recordsTotal: 40n,
      },
      partitions: [
        { topic: 'pg.public.orders', partition: 1, appliedOffset: 5n, endOffset: 1005n, lag: 1000n },
        {
          topic: 'pg.public.customers',
          partition: 0,
          appliedOffset: 10n,
          endOffset: 10n,
          lag: 0n,
          table: 'public.customers',
        },
        {
          topic: 'pg.public.orders',
          partition: 0,
          appliedOffset: 7n,
          endOffset: 7n,
          lag: 0n,
          table: 'public.orders',
        },
      ],
    });
    expect(renderSinkStatus(status)).toBe(
      [
        'service:       search-indexer 0.1.0 (instance host-1)',
        'group:         trunkline.search-indexer',
        'engine:        sqlite /data/search.db',
        'phase:         replaying',
        'events/s:      12.3 (4,567 applied since start)',
        'freshness:     p50 400ms, p99 1.3s (250 changes in the last 60s)',
        'dead letters:  3 sent since start, 2 waiting (see them: trunkline sinks dlq)',
        'last error:    engine unavailable (at 2026-01-02T03:04:05Z)',
        'replay:        r1 (rebuild) reading: 10/40 records (25%), ETA ?',
        '',
        'TOPIC                PARTITION  TABLE             APPLIED  END    LAG',
        'pg.public.customers  0          public.customers  10       10     0',
        'pg.public.orders     0          public.orders     7        7      0',
        'pg.public.orders     1          -                 5        1,005  1,000',
        '',
      ].join('\n'),
    );
  });

  it('says so when nothing was measured, no error met and no partition held', () => {
    const text = renderSinkStatus(create(GetStatusResponseSchema, { phase: 'consuming', group: 'g' }));
    expect(text).toContain('freshness:     - (no change applied in the last 60s)');
    expect(text).toContain('last error:    none');
    expect(text).not.toContain('replay:');
    expect(text).not.toContain('see them');
    expect(text).toContain('no partitions assigned to this instance');
  });

  it('lists dead letters with their source and a truncated reason', () => {
    const response = create(ListDeadLettersResponseSchema, {
      waiting: 5n,
      deadLetters: [
        {
          dlqTopic: 'pg.public.orders.dlq.search-indexer',
          dlqPartition: 0,
          dlqOffset: 3n,
          topic: 'pg.public.orders',
          partition: 2,
          offset: 41n,
          reason: `cannot decode: ${'x'.repeat(100)}`,
          errorClass: 'DeserializationError',
          failedAt: timestampFromMs(AT),
          retries: 1,
        },
      ],
    });
    const lines = renderDeadLetters(response).split('\n');
    expect(lines[0]).toMatch(/^DLQ TOPIC\s+OFFSET\s+SOURCE\s+FAILED AT\s+RETRIES\s+ERROR CLASS\s+REASON$/);
    expect(lines[1]).toContain('pg.public.orders.dlq.search-indexer[0]  3       pg.public.orders[2]@41');
    expect(lines[1]).toContain('2026-01-02T03:04:05Z  1        DeserializationError');
    expect(lines[1]).toMatch(/cannot decode: x+…$/);
    expect(lines[1]!.slice(lines[1]!.indexOf('cannot'))).toHaveLength(60);
    expect(lines[3]).toBe('5 waiting (the oldest 1 shown; --limit lists more)');
    expect(renderDeadLetters(create(ListDeadLettersResponseSchema, {}))).toBe('no dead letters waiting\n');
  });

  it('counts retried dead letters', () => {
    expect(renderRetry(3n, 0n, 'search-indexer')).toBe('applied 3, failed again 0');
    expect(renderRetry(1000n, 2n, 'bronze-writer')).toBe(
      'applied 1,000, failed again 2 (back in their dead-letter topics with the new reason: trunkline sinks dlq bronze-writer)',
    );
  });
});
