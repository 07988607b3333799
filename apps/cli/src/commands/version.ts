import { TRUNKLINE_VERSION } from '@trunkline/runtime';
import type { Command } from '../command';
import { UsageError } from '../command';

export const versionCommand: Command = {
  name: 'version',
  summary: 'print the Trunkline version',
  help: () => 'Usage: trunkline version [--json]\n\nPrints the Trunkline version.\n\n  --json  as JSON\n',
  async run(args) {
    const json = args.includes('--json');
    const unknown = args.find((a) => a !== '--json');
    if (unknown !== undefined) throw new UsageError(`unknown argument ${unknown}`);
    const info = { version: TRUNKLINE_VERSION, node: process.version };
    process.stdout.write(
      json ? `${JSON.stringify(info)}\n` : `trunkline ${info.version} (node ${info.node})\n`,
    );
    return 0;
  },
};
