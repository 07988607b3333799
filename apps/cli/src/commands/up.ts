import { EmbeddedPostgresError } from '@trunkline/embedded-postgres';
import {
  exitOnShutdownSignal,
  LOG_LEVELS,
  parseSettings,
  setting,
  settingsHelp,
  TRUNKLINE_VERSION,
} from '@trunkline/runtime';
import type { Command } from '../command';
import { listenersTable, type Platform, startPlatform } from '../platform';
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
  postgresPort: setting.port({
    describe: 'port of the embedded Postgres (on 127.0.0.1) holding the demo database',
    default: 5432,
  }),
  demoLoad: setting.integer({
    describe: 'inserts, updates and deletes per second on the demo database (0: none)',
    default: 0,
    min: 0,
    max: 10_000,
  }),
};

export const upCommand: Command = {
  name: 'up',
  summary: 'run the whole platform on this machine with embedded engines',
  help: () =>
    [
      'Usage: trunkline up [flags]',
      '',
      'Starts an embedded Postgres with a demo database, then every service in one process',
      'on its default ports, the CDC ingestor capturing the demo database (topics demo.*)',
      'and the search indexer keeping an embedded full-text index of them',
      '(`trunkline search kayak --table public.products`), prints where each listens, and',
      'stops them all cleanly on Ctrl-C (twice: at once).',
      'With --demo-load N, about N changes a second flow through the demo tables.',
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
    const { postgresPort, demoLoad, ...config } = parsed.config;
    let platform: Platform;
    try {
      platform = await startPlatform(services, {
        ...config,
        logDestination: process.stderr,
        postgres: { port: postgresPort, demoLoad },
      });
    } catch (error) {
      if (!(error instanceof EmbeddedPostgresError)) throw error;
      const hint = error.reason === 'port-in-use' ? ' (--postgres-port)' : '';
      process.stderr.write(`trunkline up: embedded Postgres: ${error.message}${hint}\n`);
      return 1;
    }
    process.stdout.write(
      `Trunkline ${TRUNKLINE_VERSION} is up (Ctrl-C stops it):\n\n${listenersTable(platform)}\n`,
    );
    exitOnShutdownSignal(async () => ((await platform.stop()) ? 0 : 1), platform.services[0]!.logger);
    return new Promise<number>(() => undefined);
  },
};
