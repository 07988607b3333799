import { runClientOk } from '../client-processes';
import type { Step } from '../step';

const TOPIC = 'kcat-events';
const GROUP = 'kcat-group';
const CODECS = ['gzip', 'snappy', 'lz4', 'zstd'] as const;
const RECORDS_PER_CODEC = 3;
const RECORDS = CODECS.length * RECORDS_PER_CODEC;

function produceStep(codec: (typeof CODECS)[number]): Step {
  return {
    client: 'kcat',
    name: `kcat -P -z ${codec}`,
    async run({ bootstrap }) {
      // librdkafka sends a batch uncompressed when compressing does not make it smaller:
      // repetitive values, all in one batch (kcat's input arrives at once, well within the linger).
      const value = `kcat ${codec} value `.repeat(4);
      const lines = Array.from({ length: RECORDS_PER_CODEC }, (_, i) => `key-${i}:${value}${i}`);
      await runClientOk(
        [
          'kcat',
          '-P',
          '-b',
          bootstrap,
          '-t',
          TOPIC,
          '-z',
          codec,
          '-K',
          ':',
          '-H',
          'origin=kcat',
          '-H',
          `codec=${codec}`,
          '-X',
          'linger.ms=200',
        ],
        { input: `${lines.join('\n')}\n` },
      );
    },
  };
}

/** Throws unless kcat printed every record (one line each, from -f '%k\n'). */
function expectAll(stdout: string): void {
  const count = stdout.split('\n').filter(Boolean).length;
  if (count !== RECORDS) throw new Error(`kcat read ${count} of ${RECORDS} records`);
}

export const kcatSteps: Step[] = [
  {
    client: 'kcat',
    name: 'kcat -L',
    run: async ({ bootstrap }) => {
      await runClientOk(['kcat', '-L', '-b', bootstrap]);
    },
  },
  ...CODECS.map(produceStep),
  {
    client: 'kcat',
    name: 'kcat -C',
    async run({ bootstrap }) {
      const result = await runClientOk([
        'kcat',
        '-C',
        '-b',
        bootstrap,
        '-t',
        TOPIC,
        '-o',
        'beginning',
        '-e',
        '-q',
        '-f',
        '%k\\n',
      ]);
      expectAll(result.stdout);
    },
  },
  {
    client: 'kcat',
    name: 'kcat -G',
    async run({ bootstrap }) {
      // A balanced consumer: joins the group, reads to the end, commits as it closes.
      const result = await runClientOk(
        ['kcat', '-b', bootstrap, '-G', GROUP, '-o', 'beginning', '-e', '-q', '-f', '%k\\n', TOPIC],
        { timeoutMs: 60_000 },
      );
      expectAll(result.stdout);
    },
  },
];
