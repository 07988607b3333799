/** One topic-level config Kafka clients may set: its default and how its value is checked. */
interface ConfigDefinition {
  readonly defaultValue: string;
  /** Undefined when the value is acceptable, else what is expected. */
  check(value: string): string | undefined;
}

const long = (min: number) => (value: string) =>
  /^-?\d+$/.test(value) && Number(value) >= min ? undefined : `an integer of at least ${min}`;
const ratio = (value: string) =>
  /^\d+(\.\d+)?$/.test(value) && Number(value) <= 1 ? undefined : 'a number from 0 to 1';
const oneOf =
  (...choices: string[]) =>
  (value: string) =>
    choices.includes(value) ? undefined : `one of ${choices.join(', ')}`;

/** The topic configs this broker knows, with Kafka's defaults. */
export const TOPIC_CONFIGS: Readonly<Record<string, ConfigDefinition>> = {
  'cleanup.policy': {
    defaultValue: 'delete',
    check: (v) =>
      v.split(',').every((p) => p === 'delete' || p === 'compact')
        ? undefined
        : 'delete, compact or delete,compact',
  },
  'compression.type': {
    defaultValue: 'producer',
    check: oneOf('producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'),
  },
  'delete.retention.ms': { defaultValue: '86400000', check: long(0) },
  'index.interval.bytes': { defaultValue: '4096', check: long(0) },
  'local.retention.bytes': { defaultValue: '-2', check: long(-2) },
  'local.retention.ms': { defaultValue: '-2', check: long(-2) },
  'max.compaction.lag.ms': { defaultValue: '9223372036854775807', check: long(1) },
  'max.message.bytes': { defaultValue: '1048588', check: long(0) },
  'message.timestamp.type': { defaultValue: 'CreateTime', check: oneOf('CreateTime', 'LogAppendTime') },
  'min.cleanable.dirty.ratio': { defaultValue: '0.5', check: ratio },
  'min.compaction.lag.ms': { defaultValue: '0', check: long(0) },
  'min.insync.replicas': { defaultValue: '1', check: long(1) },
  'remote.storage.enable': { defaultValue: 'false', check: oneOf('true', 'false') },
  'retention.bytes': { defaultValue: '-1', check: long(-1) },
  'retention.ms': { defaultValue: '604800000', check: long(-1) },
  'segment.bytes': { defaultValue: '1073741824', check: long(14) },
  'segment.ms': { defaultValue: '604800000', check: long(1) },
};

/** Why a config cannot be set; maps to Kafka's INVALID_CONFIG. */
export class InvalidConfigError extends Error {
  override readonly name = 'InvalidConfigError';
}

export function validateTopicConfig(name: string, value: string | null): void {
  const definition = TOPIC_CONFIGS[name];
  if (definition === undefined) throw new InvalidConfigError(`unknown topic config ${name}`);
  if (value === null) return;
  const expected = definition.check(value);
  if (expected !== undefined)
    throw new InvalidConfigError(`${name}=${value} is invalid: expected ${expected}`);
}

/** Effective value of every known config: the topic's override, else the default. */
export function effectiveConfigs(overrides: Readonly<Record<string, string>>) {
  return Object.entries(TOPIC_CONFIGS).map(([name, definition]) => ({
    name,
    value: overrides[name] ?? definition.defaultValue,
    isDefault: overrides[name] === undefined,
  }));
}

export function configNumber(overrides: Readonly<Record<string, string>>, name: string): number {
  return Number(overrides[name] ?? TOPIC_CONFIGS[name]!.defaultValue);
}

/** The cleanup.policy's parts: `delete` (retention) and `compact` (log compaction). */
export function cleanupPolicy(overrides: Readonly<Record<string, string>>): {
  delete: boolean;
  compact: boolean;
} {
  const parts = (overrides['cleanup.policy'] ?? TOPIC_CONFIGS['cleanup.policy']!.defaultValue).split(',');
  return { delete: parts.includes('delete'), compact: parts.includes('compact') };
}
