/**
 * Typed settings: each one knows how to parse its raw string (from a flag or an env
 * variable), what it expects (for error messages and help) and its default.
 */
export interface Setting<T> {
  readonly describe: string;
  /** What a valid value looks like, for people: "a port number (0-65535)". */
  readonly expected: string;
  /** Placeholder in help, e.g. `<port>`; empty for switches that take no value. */
  readonly placeholder: string;
  readonly defaultValue: T | undefined;
  readonly required: boolean;
  /** Parses a raw value; `undefined` means it is not valid. */
  parse(raw: string): T | undefined;
  format(value: T): string;
}

export interface SettingOptions<T> {
  describe: string;
  default?: T;
  required?: boolean;
}

/** A setting with a default or marked required always has a value; others may be undefined. */
export type SettingFor<T, O> = O extends { default: T } | { required: true }
  ? Setting<T>
  : Setting<T | undefined>;

interface Kind<T> {
  expected: string;
  placeholder: string;
  parse(raw: string): T | undefined;
  format?(value: T): string;
}

function define<T, O extends SettingOptions<T>>(kind: Kind<T>, options: O): SettingFor<T, O> {
  const setting: Setting<T> = {
    describe: options.describe,
    expected: kind.expected,
    placeholder: kind.placeholder,
    defaultValue: options.default,
    required: options.required === true,
    parse: kind.parse,
    format: kind.format ?? String,
  };
  return setting as SettingFor<T, O>;
}

function parseInteger(raw: string, min: number, max: number): number | undefined {
  if (!/^-?\d+$/.test(raw.trim())) return undefined;
  const value = Number(raw);
  return Number.isSafeInteger(value) && value >= min && value <= max ? value : undefined;
}

export function port<O extends SettingOptions<number>>(options: O): SettingFor<number, O> {
  return define(
    {
      expected: 'a port number (0-65535; 0 picks a free port)',
      placeholder: '<port>',
      parse: (raw) => parseInteger(raw, 0, 65535),
    },
    options,
  );
}

export function integer<O extends SettingOptions<number>>(
  options: O & { min?: number; max?: number },
): SettingFor<number, O> {
  const min = options.min ?? Number.MIN_SAFE_INTEGER;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  const range =
    options.min !== undefined && options.max !== undefined
      ? ` from ${min} to ${max}`
      : options.min !== undefined
        ? ` of at least ${min}`
        : options.max !== undefined
          ? ` of at most ${max}`
          : '';
  return define(
    { expected: `an integer${range}`, placeholder: '<n>', parse: (raw) => parseInteger(raw, min, max) },
    options,
  );
}

export function text<O extends SettingOptions<string>>(options: O): SettingFor<string, O> {
  return define(
    {
      expected: 'a non-empty string',
      placeholder: '<string>',
      parse: (raw) => (raw.length > 0 ? raw : undefined),
    },
    options,
  );
}

export function choice<const C extends string, O extends SettingOptions<C>>(
  choices: readonly C[],
  options: O,
): SettingFor<C, O> {
  return define<C, O>(
    {
      expected: `one of ${choices.join(', ')}`,
      placeholder: `<${choices.join('|')}>`,
      parse: (raw) => choices.find((c) => c === raw),
    },
    options,
  );
}

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;

/** A comma-separated list of host:port, like Kafka's bootstrap.servers. */
export function hostPorts<O extends SettingOptions<string[]>>(options: O): SettingFor<string[], O> {
  return define(
    {
      expected: 'a comma-separated list of host:port',
      placeholder: '<host:port,...>',
      parse: (raw) => {
        const items = raw.split(',').map((s) => s.trim());
        const valid = items.every((item) => {
          const match = HOST_PORT.exec(item);
          return match !== null && Number(match[2]) > 0 && Number(match[2]) <= 65535;
        });
        return valid && items.length > 0 ? items : undefined;
      },
      format: (value) => value.join(','),
    },
    options,
  );
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** A size in bytes such as `4096`, `512KiB`, `32MiB` or `1GiB`; the value is in bytes. */
export function byteSize<O extends SettingOptions<number>>(
  options: O & { min?: number },
): SettingFor<number, O> {
  const min = options.min ?? 0;
  return define(
    {
      expected: `a size such as 4096, 512KiB, 32MiB or 1GiB${min > 0 ? ` (at least ${min} bytes)` : ''}`,
      placeholder: '<size>',
      parse: (raw) => {
        const match = /^(\d+)\s*(b|kib|mib|gib)?$/i.exec(raw.trim());
        if (match === null) return undefined;
        const value = Number(match[1]) * SIZE_UNITS[(match[2] ?? '').toLowerCase()]!;
        return Number.isSafeInteger(value) && value >= min ? value : undefined;
      },
      format: (bytes) => {
        for (const unit of ['GiB', 'MiB', 'KiB'] as const) {
          const factor = SIZE_UNITS[unit.toLowerCase()]!;
          if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
        }
        return String(bytes);
      },
    },
    options,
  );
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A duration such as `500ms`, `10s`, `2m` or `1h`; the value is in milliseconds. */
export function duration<O extends SettingOptions<number>>(options: O): SettingFor<number, O> {
  return define(
    {
      expected: 'a duration such as 500ms, 10s, 2m or 1h',
      placeholder: '<duration>',
      parse: (raw) => {
        const match = /^(\d+)(ms|s|m|h)$/.exec(raw.trim());
        if (match === null) return undefined;
        return Number(match[1]) * DURATION_UNITS_MS[match[2]!]!;
      },
      format: (ms) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`),
    },
    options,
  );
}

/** An on/off switch: `--flag` turns it on, `--flag=false` (or env `false`/`0`) off. */
export function toggle<O extends SettingOptions<boolean>>(options: O): SettingFor<boolean, O> {
  return define(
    {
      expected: 'true or false',
      placeholder: '',
      parse: (raw) => {
        const value = raw.toLowerCase();
        if (value === 'true' || value === '1') return true;
        if (value === 'false' || value === '0') return false;
        return undefined;
      },
    },
    options,
  );
}
