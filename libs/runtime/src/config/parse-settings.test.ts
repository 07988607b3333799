import { ConfigError } from './config-error';
import { envName, flagName, parseSettings } from './parse-settings';
import { byteSize, choice, duration, hostPorts, integer, port, text, toggle } from './settings';
import { settingsHelp } from './settings-help';

const spec = {
  grpcPort: port({ describe: 'gRPC port', default: 50051 }),
  kafkaBrokers: hostPorts({ describe: 'bootstrap servers', required: true }),
  dataDir: text({ describe: 'data directory' }),
  fsync: choice(['always', 'interval', 'never'] as const, { describe: 'when to fsync', default: 'always' }),
  batchSize: integer({ describe: 'batch size', min: 1, max: 10_000, default: 500 }),
  flushInterval: duration({ describe: 'flush interval', default: 1000 }),
  autoCreate: toggle({ describe: 'auto-create topics', default: false }),
};

function parse(argv: string[], env: Record<string, string> = {}) {
  const result = parseSettings(spec, argv, env);
  if (result.help) throw new Error('unexpected help');
  return result.config;
}

function failure(argv: string[], env: Record<string, string> = {}): ConfigError {
  try {
    parseSettings(spec, argv, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseSettings', () => {
  it('derives flag and env names from setting keys', () => {
    expect(flagName('kafkaBrokers')).toBe('kafka-brokers');
    expect(envName('kafkaBrokers')).toBe('TRUNKLINE_KAFKA_BROKERS');
  });

  it('takes flags in both --name value and --name=value forms, and defaults for the rest', () => {
    const config = parse(['--kafka-brokers', 'a:9092,b:9093', '--grpc-port=7000', '--auto-create']);
    expect(config).toEqual({
      grpcPort: 7000,
      kafkaBrokers: ['a:9092', 'b:9093'],
      dataDir: undefined,
      fsync: 'always',
      batchSize: 500,
      flushInterval: 1000,
      autoCreate: true,
    });
  });

  it('reads env variables, and a flag wins over its variable', () => {
    const config = parse(['--grpc-port', '7001'], {
      TRUNKLINE_KAFKA_BROKERS: 'k:9092',
      TRUNKLINE_GRPC_PORT: '7002',
      TRUNKLINE_FLUSH_INTERVAL: '2m',
      TRUNKLINE_AUTO_CREATE: 'true',
      TRUNKLINE_UNRELATED: 'ignored',
    });
    expect(config.grpcPort).toBe(7001);
    expect(config.kafkaBrokers).toEqual(['k:9092']);
    expect(config.flushInterval).toBe(120_000);
    expect(config.autoCreate).toBe(true);
  });

  it('names the flag, the value and what was expected for a bad value', () => {
    const error = failure(['--kafka-brokers', 'k:1', '--grpc-port', 'abc']);
    expect(error.setting).toBe('--grpc-port');
    expect(error.message).toBe(
      '--grpc-port "abc" is invalid: expected a port number (0-65535; 0 picks a free port)',
    );
    expect(error.message).not.toContain('\n');
  });

  it('names the env variable when the bad value came from it', () => {
    const error = failure([], { TRUNKLINE_KAFKA_BROKERS: 'k:1', TRUNKLINE_BATCH_SIZE: '0' });
    expect(error.message).toBe('TRUNKLINE_BATCH_SIZE="0" is invalid: expected an integer from 1 to 10000');
  });

  it.each([
    [
      ['--kafka-brokers', 'nohost'],
      '--kafka-brokers "nohost" is invalid: expected a comma-separated list of host:port',
    ],
    [
      ['--kafka-brokers', 'k:1', '--fsync', 'sometimes'],
      '--fsync "sometimes" is invalid: expected one of always, interval, never',
    ],
    [
      ['--kafka-brokers', 'k:1', '--flush-interval', '10'],
      '--flush-interval "10" is invalid: expected a duration such as 500ms, 10s, 2m or 1h',
    ],
    [
      ['--kafka-brokers', 'k:1', '--grpc-port', '70000'],
      '--grpc-port "70000" is invalid: expected a port number (0-65535; 0 picks a free port)',
    ],
    [['--kafka-brokers', 'k:1', '--grpc-prot', '1'], 'unknown flag --grpc-prot (did you mean --grpc-port?)'],
    [['--kafka-brokers', 'k:1', '--nonsense'], 'unknown flag --nonsense'],
    [['--kafka-brokers'], '--kafka-brokers needs a value: a comma-separated list of host:port'],
    [['--kafka-brokers', 'k:1', 'stray'], 'unexpected argument "stray" (flags look like --name value)'],
    [['--kafka-brokers', 'k:1', '--kafka-brokers', 'k:2'], '--kafka-brokers is given more than once'],
    [
      [],
      '--kafka-brokers (or TRUNKLINE_KAFKA_BROKERS) is required: expected a comma-separated list of host:port',
    ],
  ])('rejects %j with one line', (argv, message) => {
    expect(failure(argv).message).toBe(message);
  });

  it('recognises --help anywhere', () => {
    expect(parseSettings(spec, ['--grpc-port', 'abc', '--help'], {}).help).toBe(true);
  });
});

describe('settingsHelp', () => {
  it('lists every flag with its default and env variable', () => {
    const help = settingsHelp(spec);
    for (const key of Object.keys(spec)) {
      expect(help).toContain(`--${flagName(key)}`);
      expect(help).toContain(envName(key));
    }
    expect(help).toContain('default 50051');
    expect(help).toContain('required');
    expect(help).toContain('-h, --help');
  });
});

describe('byteSize', () => {
  const size = byteSize({ describe: 'a buffer', min: 1024, default: 1 << 20 });

  it.each([
    ['4096', 4096],
    ['512KiB', 512 * 1024],
    ['32MiB', 32 * 1024 * 1024],
    ['1gib', 1024 ** 3],
  ])('reads %s as %d bytes', (raw, bytes) => {
    expect(size.parse(raw)).toBe(bytes);
  });

  it.each(['', '12MB', '-5', '1.5MiB', '1000'])('refuses %p', (raw) => {
    expect(size.parse(raw)).toBeUndefined();
  });

  it('prints whole units', () => {
    expect(size.format(16 * 1024 * 1024)).toBe('16MiB');
    expect(size.format(1500)).toBe('1500');
  });
});
