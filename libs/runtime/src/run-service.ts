import { ConfigError } from './config/config-error';
import { type ParseResult, parseSettings, type SettingsSpec } from './config/parse-settings';
import { settingsHelp } from './config/settings-help';
import { type ServiceDefinition, type ServiceHandle, serviceSettings, startService } from './service';
import type { CommonSettings } from './service-settings';
import { exitOnShutdownSignal } from './shutdown-signals';

export interface RunServiceOptions {
  /** The command as users typed it, for messages: "trunkline serve broker". */
  command: string;
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
}

/** `--help` text of a service: usage, summary and every flag with its env variable. */
export function serviceHelp<S extends SettingsSpec>(
  definition: ServiceDefinition<S>,
  command: string,
): string {
  return [
    `Usage: ${command} [flags]`,
    '',
    definition.summary,
    '',
    'Flags (each also read from its env variable; a flag wins over the variable):',
    settingsHelp(serviceSettings(definition)),
    '',
  ].join('\n');
}

/**
 * Runs one service as the whole process: parse settings (a bad one exits 2 with one line
 * naming it), start, and stop gracefully on SIGTERM/SIGINT (exit 0 if everything drained).
 */
export async function runService<S extends SettingsSpec>(
  definition: ServiceDefinition<S>,
  options: RunServiceOptions,
): Promise<void> {
  let parsed: ParseResult<CommonSettings & S>;
  try {
    parsed = parseSettings(serviceSettings(definition), options.argv, options.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${options.command}: ${error.message}\n`);
    process.exit(2);
  }
  if (parsed.help) {
    process.stdout.write(serviceHelp(definition, options.command));
    return;
  }
  let handle: ServiceHandle;
  try {
    handle = await startService(definition, parsed.config);
  } catch (error) {
    process.stderr.write(`${options.command}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  exitOnShutdownSignal(async () => ((await handle.stop()) ? 0 : 1), handle.logger);
}
