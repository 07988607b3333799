import { Code, ConfigError, TrunklineError } from '@trunkline/runtime';
import { type Command, UsageError } from './command';
import { groupsCommand } from './commands/groups';
import { schemasCommand } from './commands/schemas';
import { searchCommand } from './commands/search';
import { serveCommand } from './commands/serve';
import { sinksCommand } from './commands/sinks';
import { sourcesCommand } from './commands/sources';
import { tailCommand } from './commands/tail';
import { topicsCommand } from './commands/topics';
import { upCommand } from './commands/up';
import { versionCommand } from './commands/version';

export const commands: readonly Command[] = [
  upCommand,
  serveCommand,
  topicsCommand,
  groupsCommand,
  schemasCommand,
  sourcesCommand,
  sinksCommand,
  searchCommand,
  tailCommand,
  versionCommand,
];

export function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'Usage: trunkline <command> [flags]',
    '',
    'Trunkline: a streaming backbone for AI-native data platforms.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    "Run `trunkline <command> --help` for a command's flags.",
    '',
  ].join('\n');
}

/** Runs the CLI; resolves with the exit code. Usage errors print one line and give 2. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainHelp());
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  try {
    if (command === undefined)
      throw new UsageError(`unknown command "${name}" (commands: ${commands.map((c) => c.name).join(', ')})`);
    return await command.run(args);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      process.stderr.write(`trunkline ${command?.name ?? name}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof TrunklineError) {
      // A failed admin call: the server's message and its status, one line.
      process.stderr.write(`trunkline ${command?.name ?? name}: ${error.message} (${Code[error.code]})\n`);
      return 1;
    }
    throw error;
  }
}
