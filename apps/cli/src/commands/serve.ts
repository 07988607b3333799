import { commonSettings, runService, serviceHelp, settingsHelp } from '@trunkline/runtime';
import type { Command } from '../command';
import { UsageError } from '../command';
import { findService, services } from '../services';

function serviceList(): string {
  if (services.length === 0) return '  (none in this build yet)';
  const width = Math.max(...services.map((s) => s.name.length)) + 2;
  return services
    .map((s) => `  ${s.name.padEnd(width)}${s.summary} (gRPC ${s.ports.grpc}, HTTP ${s.ports.http})`)
    .join('\n');
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run one service in the foreground',
  help: () =>
    [
      'Usage: trunkline serve <service> [flags]',
      '',
      'Runs one service until SIGTERM or Ctrl-C, then drains in-flight work and exits 0.',
      'A bad or missing setting stops it at once with one line naming the setting.',
      '',
      'Services:',
      serviceList(),
      '',
      'Flags every service takes (`trunkline serve <service> --help` lists its own too;',
      'each flag can also come from its env variable, and a flag wins over the variable):',
      settingsHelp(commonSettings({ grpc: 0, http: 0 }), { omitDefaults: ['grpcPort', 'httpPort'] }),
      '',
    ].join('\n'),
  async run(args) {
    const [name, ...rest] = args;
    if (name === undefined || name === '--help' || name === '-h') {
      process.stdout.write(this.help());
      return name === undefined ? 2 : 0;
    }
    const service = findService(name);
    if (service === undefined) {
      const known = services.map((s) => s.name).join(', ') || 'none in this build yet';
      throw new UsageError(`unknown service "${name}" (services: ${known})`);
    }
    const command = `trunkline serve ${name}`;
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(serviceHelp(service, command));
      return 0;
    }
    await runService(service, { command, argv: rest, env: process.env });
    // The service runs until a signal; its shutdown handler exits the process.
    return new Promise<number>(() => undefined);
  },
};
