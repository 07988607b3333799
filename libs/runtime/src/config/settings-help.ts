import { envName, flagName, type SettingsSpec } from './parse-settings';

const MAX_FLAG_WIDTH = 30;

/** Renders the flag table of `--help`: flag, description, default and env variable. */
export function settingsHelp(spec: SettingsSpec, options: { omitDefaults?: readonly string[] } = {}): string {
  const rows: [string, string][] = Object.entries(spec).map(([key, setting]) => {
    const left = `--${flagName(key)}${setting.placeholder === '' ? '' : ` ${setting.placeholder}`}`;
    const notes = [
      setting.required ? 'required' : undefined,
      setting.defaultValue !== undefined && !options.omitDefaults?.includes(key)
        ? `default ${setting.format(setting.defaultValue)}`
        : undefined,
      `env ${envName(key)}`,
    ].filter((n) => n !== undefined);
    return [left, `${setting.describe} (${notes.join('; ')})`];
  });
  rows.push(['-h, --help', 'show this help']);
  // Long flags (e.g. a choice listing its values) get a line of their own.
  const width = Math.min(MAX_FLAG_WIDTH, Math.max(...rows.map(([left]) => left.length))) + 2;
  return rows
    .map(([left, right]) =>
      left.length <= MAX_FLAG_WIDTH
        ? `  ${left.padEnd(width)}${right}`
        : `  ${left}\n  ${' '.repeat(width)}${right}`,
    )
    .join('\n');
}
