import { fromJson, type JsonValue } from '@bufbuild/protobuf';
import { type Value, ValueSchema } from '@bufbuild/protobuf/wkt';
import { type SearchResponse, SearchResponseSchema } from '@trunkline/contracts/search/v1/search';
import { flagName, type SettingsSpec, setting, settingsHelp } from '@trunkline/runtime';
import { adminSettings, parseFlags, printJson, searchApiSettings, withSearch } from '../admin/admin-command';
import { type Command, UsageError } from '../command';

const searchSettings = {
  table: setting.text({ describe: 'schema.table to search, e.g. public.customers', required: true }),
  size: setting.integer({ describe: 'most hits returned', default: 10, min: 1, max: 10_000 }),
};

const HELP = `Usage: trunkline search <query> --table <schema.table> [flags]

Full-text search over a table the search indexer keeps in sync with its change topic
(\`trunkline serve search-indexer\`): the rows containing every word of <query>, best first
(BM25), with the matched words highlighted.

Flags:
  --filter <field=value>        only rows whose field equals the value; repeat for more fields:
                                true/false are booleans, JSON numbers (42, -1.5) numbers,
                                anything else (007, abc) a string
${settingsHelp({ ...searchSettings, ...searchApiSettings })}

Example:
  trunkline search "ada lovelace" --table public.customers --filter active=true --size 5
`;

const PREVIEW_WIDTH = 120;
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** A filter value as typed: true/false → boolean, a JSON number → number, else the string itself. */
export function parseFilterValue(text: string): string | number | boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (NUMBER.test(text)) {
    const value = Number(text);
    // Integers beyond 2^53 stay strings, as the indexer keeps them, so no digit is lost.
    const exact = !/^-?\d+$/.test(text) || Number.isSafeInteger(value);
    if (Number.isFinite(value) && exact) return value;
  }
  return text;
}

/** `--filter` values, `field=value`, as the request's filters. */
export function parseFilters(pairs: readonly string[]): Record<string, string | number | boolean> {
  const filters: Record<string, string | number | boolean> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--filter takes field=value, got "${pair}"`);
    const field = pair.slice(0, eq);
    if (Object.hasOwn(filters, field)) throw new UsageError(`--filter ${field}=... is given more than once`);
    filters[field] = parseFilterValue(pair.slice(eq + 1));
  }
  return filters;
}

/**
 * Splits the arguments of `search` into the query words, the repeated `--filter` values and
 * the other flags; the query may come before or after the flags.
 */
export function splitSearchArgs(
  args: readonly string[],
  spec: SettingsSpec,
): { words: string[]; filters: string[]; flags: string[] } {
  const takesValue = new Map(Object.entries(spec).map(([key, s]) => [flagName(key), s.placeholder !== '']));
  const words: string[] = [];
  const filters: string[] = [];
  const flags: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--filter' || arg.startsWith('--filter=')) {
      const value = arg === '--filter' ? args[++i] : arg.slice('--filter='.length);
      if (value === undefined) throw new UsageError('--filter needs a value: field=value');
      filters.push(value);
    } else if (arg.startsWith('--') && arg !== '--') {
      flags.push(arg);
      const name = arg.slice(2);
      if (!name.includes('=') && takesValue.get(name) === true && i + 1 < args.length) flags.push(args[++i]!);
    } else if (arg !== '--') words.push(arg);
  }
  return { words, filters, flags };
}

/** `<em>word</em>` in bold on a terminal, as sent otherwise. */
export function emphasize(fragment: string, tty: boolean): string {
  return tty ? fragment.replace(/<em>(.*?)<\/em>/g, '\x1b[1m$1\x1b[22m') : fragment;
}

function oneLine(text: string, width?: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return width === undefined || line.length <= width ? line : `${line.slice(0, width - 1)}…`;
}

/** Hits as people read them: rank, score and key, then highlights (or a preview of the row). */
export function renderHits(response: SearchResponse, tty: boolean): string {
  if (response.hits.length === 0) return 'no hits\n';
  const rankWidth = String(response.hits.length).length;
  const indent = ' '.repeat(rankWidth + 2);
  const blocks = response.hits.map((hit, i) => {
    const head = `${String(i + 1).padStart(rankWidth)}  ${hit.score.toFixed(3)}  ${JSON.stringify(hit.key ?? {})}`;
    const fields = Object.entries(hit.highlights).filter(([, h]) => h.fragments.length > 0);
    const lines =
      fields.length > 0
        ? fields.map(
            ([field, h]) =>
              `${indent}${field}: ${h.fragments.map((f) => emphasize(oneLine(f), tty)).join(' … ')}`,
          )
        : [`${indent}${oneLine(JSON.stringify(hit.document ?? {}), PREVIEW_WIDTH)}`];
    return [head, ...lines].join('\n');
  });
  const n = response.hits.length;
  const summary = `${n} hit${n === 1 ? '' : 's'} (total ${response.total.toLocaleString('en-US')}, took ${response.tookMs.toFixed(1)} ms)`;
  return `${blocks.join('\n')}\n\n${summary}\n`;
}

export const searchCommand: Command = {
  name: 'search',
  summary: 'full-text search over a table the search indexer keeps in sync',
  help: () => HELP,
  async run(args) {
    const spec = { ...adminSettings, ...searchApiSettings, ...searchSettings };
    if (args.length === 0 || args.includes('--help') || args.includes('-h')) {
      process.stdout.write(HELP);
      return args.length === 0 ? 2 : 0;
    }
    const { words, filters, flags } = splitSearchArgs(args, spec);
    const query = words.join(' ').trim();
    if (query === '')
      throw new UsageError('search takes a query: trunkline search "<words>" --table schema.table');
    const filterJson = parseFilters(filters);
    const config = parseFlags({ ...searchApiSettings, ...searchSettings }, flags);
    const dot = config.table.indexOf('.');
    if (dot <= 0 || dot === config.table.length - 1)
      throw new UsageError(`--table takes schema.table, got "${config.table}"`);
    const filterValues: Record<string, Value> = Object.fromEntries(
      Object.entries(filterJson).map(([field, value]) => [field, fromJson(ValueSchema, value as JsonValue)]),
    );
    const response = await withSearch(config.searchApi, (c) =>
      c.search({ table: config.table, query, filters: filterValues, size: config.size }),
    );
    if (config.json) printJson(SearchResponseSchema, response);
    else process.stdout.write(renderHits(response, process.stdout.isTTY === true));
    return 0;
  },
};
