import {
  exitOnShutdownSignal,
  LOG_LEVELS,
  parseSettings,
  setting,
  settingsHelp,
  TRUNKLINE_VERSION,
} from '@trunkline/runtime';
import type { Command } from '../command';
import { listenersTable, startPlatform } from '../platform';
import { services } from '../services';

const upSettings = {
  host: setting.text({ describe: 'address every service binds to', default: '127.0.0.1' }),
  logLevel: setting.choice(LOG_LEVELS, {
    describe: 'least severe log level written to stderr',
    default: 'warn',
  }),
  dataDir: setting.text({
    describe: 'where services keep their data, one folder each',
    default: '.trunkline',
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
    if (services.length === 0) {
      process.stdout.write(
        `Trunkline ${TRUNKLINE_VERSION}: no services are built yet, so there is nothing to run.\n`,
      );
      return 0;
    }
    const platform = await startPlatform(services, { ...parsed.config, logDestination: process.stderr });
    process.stdout.write(
      `Trunkline ${TRUNKLINE_VERSION} is up (Ctrl-C stops it):\n\n${listenersTable(platform)}\n`,
    );
    exitOnShutdownSignal(async () => ((await platform.stop()) ? 0 : 1), platform.services[0]!.logger);
    return new Promise<number>(() => undefined);
  },
};
