import {
  exitOnShutdownSignal,
  LOG_LEVELS,
  parseSettings,
  type ServiceHandle,
  serviceSettings,
  setting,
  settingsHelp,
  startService,
  TRUNKLINE_VERSION,
} from '@trunkline/runtime';
import type { Command } from '../command';
import { UsageError } from '../command';
import { services } from '../services';
import { renderTable } from '../table';

const upSettings = {
  host: setting.text({ describe: 'address every service binds to', default: '127.0.0.1' }),
  logLevel: setting.choice(LOG_LEVELS, {
    describe: 'least severe log level written to stderr',
    default: 'warn',
  }),
};

export const upCommand: Command = {
  name: 'up',
  summary: 'run the whole platform on this machine with embedded engines',
  help: () =>
    [
      'Usage: trunkline up [flags]',
      '',
      'Starts every service in one process on its default ports, with embedded engines,',
      'prints where each listens, and stops them all cleanly on Ctrl-C (twice: at once).',
      '',
      'Flags:',
      settingsHelp(upSettings),
      '',
    ].join('\n'),
  async run(args) {
    const parsed = parseSettings(upSettings, args, process.env);
    if (parsed.help) {
      process.stdout.write(this.help());
      return 0;
    }
    const { host, logLevel } = parsed.config;
    if (services.length === 0) {
      process.stdout.write(
        `Trunkline ${TRUNKLINE_VERSION}: no services are built yet, so there is nothing to run.\n`,
      );
      return 0;
    }
    const started: ServiceHandle[] = [];
    const stopAll = async () => {
      const results = await Promise.all([...started].reverse().map((handle) => handle.stop()));
      return results.every(Boolean) ? 0 : 1;
    };
    try {
      for (const definition of services) {
        const settings = parseSettings(
          serviceSettings(definition),
          ['--host', host, '--log-level', logLevel],
          {},
        );
        if (settings.help) throw new UsageError('unexpected --help');
        started.push(await startService(definition, settings.config, { logDestination: process.stderr }));
      }
    } catch (error) {
      await stopAll();
      throw error;
    }
    process.stdout.write(
      `Trunkline ${TRUNKLINE_VERSION} is up (Ctrl-C stops it):\n\n${renderTable(
        ['SERVICE', 'LISTENS ON'],
        started.map((handle) => [
          handle.name,
          handle.listeners.map((l) => `${l.protocol} ${l.address}`).join(', '),
        ]),
      )}\n`,
    );
    exitOnShutdownSignal(stopAll, started[0]!.logger);
    return new Promise<number>(() => undefined);
  },
};
