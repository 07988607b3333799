import { timestampMs } from '@bufbuild/protobuf/wkt';
import { TailResponseSchema } from '@trunkline/contracts/broker/v1/broker_admin';
import { setting, settingsHelp } from '@trunkline/runtime';
import { adminSettings, parseFlags, printJson, splitArgs, withBroker } from '../admin/admin-command';
import { OFFSET_SPEC_HELP, parseOffsetSpec } from '../admin/offset-spec-arg';
import { type Command, UsageError } from '../command';

const tailSettings = {
  from: setting.text({
    describe: `where to start in each partition: ${OFFSET_SPEC_HELP}`,
    default: 'latest',
  }),
  partition: setting.text({ describe: 'only these partitions, 0,1,... (default: all)' }),
  max: setting.integer({ describe: 'stop after this many records (0: no limit)', default: 0, min: 0 }),
  follow: setting.toggle({ describe: 'keep printing new records until Ctrl-C', default: false }),
};

const HELP = `Usage: trunkline tail <topic> [flags]

Prints records of a topic: partition, offset, timestamp, key and value (UTF-8; --json
gives every field, bytes in base64).

${settingsHelp({ ...adminSettings, ...tailSettings })}
`;

function text(bytes: Uint8Array | undefined): string {
  return bytes === undefined ? 'null' : Buffer.from(bytes).toString('utf8');
}

export const tailCommand: Command = {
  name: 'tail',
  summary: 'print the records of a topic, optionally following new ones',
  help: () => HELP,
  async run(args) {
    const { positional, flags } = splitArgs(args);
    if (flags.includes('--help') || flags.includes('-h') || positional.length === 0) {
      process.stdout.write(HELP);
      return positional.length === 0 && !flags.includes('--help') ? 2 : 0;
    }
    if (positional.length !== 1) throw new UsageError('tail takes one topic');
    const config = parseFlags(tailSettings, flags);
    const partitions = (config.partition ?? '')
      .split(',')
      .filter(Boolean)
      .map((p) => {
        if (!/^\d+$/.test(p))
          throw new UsageError(
            `--partition "${config.partition}" is invalid: expected partition numbers, 0,1,...`,
          );
        return Number(p);
      });
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    await withBroker(config.brokerAdmin, async (client) => {
      try {
        for await (const response of client.tail(
          {
            topic: positional[0]!,
            partitions,
            from: parseOffsetSpec(config.from, '--from'),
            maxRecords: BigInt(config.max),
            follow: config.follow,
          },
          { signal: stop.signal },
        )) {
          if (config.json) {
            printJson(TailResponseSchema, response);
            continue;
          }
          const r = response.record!;
          const at = r.timestamp === undefined ? '-' : new Date(timestampMs(r.timestamp)).toISOString();
          process.stdout.write(`${r.partition}\t${r.offset}\t${at}\t${text(r.key)}\t${text(r.value)}\n`);
        }
      } catch (error) {
        if (!stop.signal.aborted) throw error;
      }
    });
    return 0;
  },
};
