import { ConfigError } from './config-error';
import type { Setting } from './settings';

// biome-ignore lint/suspicious/noExplicitAny: a spec holds settings of any value type
export type SettingsSpec = Record<string, Setting<any>>;

export type ConfigOf<S extends SettingsSpec> = { [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

export type ParseResult<S extends SettingsSpec> = { help: true } | { help: false; config: ConfigOf<S> };

export const ENV_PREFIX = 'TRUNKLINE_';

/** `kafkaBrokers` → `kafka-brokers` */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** `kafkaBrokers` → `TRUNKLINE_KAFKA_BROKERS` */
export function envName(key: string): string {
  return ENV_PREFIX + flagName(key).replace(/-/g, '_').toUpperCase();
}

/**
 * Reads settings from flags, then env variables, then defaults (in that order of
 * precedence). Every problem is a ConfigError whose one-line message names the flag or
 * variable, the value given and what was expected.
 */
export function parseSettings<S extends SettingsSpec>(
  spec: S,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ParseResult<S> {
  const keysByFlag = new Map(Object.keys(spec).map((key) => [flagName(key), key]));
  const fromFlags = new Map<string, string>();

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { help: true };
    if (!arg.startsWith('--')) {
      throw new ConfigError(arg, `unexpected argument "${arg}" (flags look like --name value)`);
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const key = keysByFlag.get(name);
    if (key === undefined) {
      throw new ConfigError(`--${name}`, `unknown flag --${name}${suggestion(name, [...keysByFlag.keys()])}`);
    }
    if (fromFlags.has(key)) throw new ConfigError(`--${name}`, `--${name} is given more than once`);
    const setting = spec[key]!;
    let raw: string;
    if (eq !== -1) {
      raw = arg.slice(eq + 1);
    } else if (setting.placeholder === '') {
      raw = 'true';
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) {
        throw new ConfigError(`--${name}`, `--${name} needs a value: ${setting.expected}`);
      }
      raw = next;
      i++;
    }
    fromFlags.set(key, raw);
  }

  const config: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(spec)) {
    const flag = `--${flagName(key)}`;
    const variable = envName(key);
    const flagValue = fromFlags.get(key);
    const envValue = env[variable];
    if (flagValue !== undefined) {
      config[key] = parseValue(setting, flag, flagValue);
    } else if (envValue !== undefined && envValue !== '') {
      config[key] = parseValue(setting, variable, envValue);
    } else if (setting.defaultValue !== undefined) {
      config[key] = setting.defaultValue;
    } else if (setting.required) {
      throw new ConfigError(flag, `${flag} (or ${variable}) is required: expected ${setting.expected}`);
    } else {
      config[key] = undefined;
    }
  }
  return { help: false, config: config as ConfigOf<S> };
}

function parseValue(setting: Setting<unknown>, source: string, raw: string): unknown {
  const value = setting.parse(raw);
  if (value === undefined) {
    const shown = source.startsWith('--')
      ? `${source} ${JSON.stringify(raw)}`
      : `${source}=${JSON.stringify(raw)}`;
    throw new ConfigError(source, `${shown} is invalid: expected ${setting.expected}`);
  }
  return value;
}

function suggestion(name: string, known: string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best === undefined ? '' : ` (did you mean --${best}?)`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}
