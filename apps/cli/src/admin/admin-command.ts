import { type DescMessage, type MessageShape, toJson } from '@bufbuild/protobuf';
import { BrokerAdminService } from '@trunkline/contracts/broker/v1/broker_admin';
import { CdcAdminService } from '@trunkline/contracts/cdc/v1/cdc_admin';
import { SchemaRegistryAdminService } from '@trunkline/contracts/schemaregistry/v1/schema_registry_admin';
import { SearchService } from '@trunkline/contracts/search/v1/search';
import { SinkAdminService } from '@trunkline/contracts/sink/v1/sink_admin';
import {
  createGrpcClient,
  type GrpcClient,
  parseSettings,
  type SettingsSpec,
  setting,
} from '@trunkline/runtime';
import { type Command, UsageError } from '../command';

/** Flags every admin command takes. */
export const adminSettings = {
  brokerAdmin: setting.hostPorts({
    describe: "the broker's gRPC admin address",
    default: ['127.0.0.1:50051'],
  }),
  json: setting.toggle({ describe: 'print JSON for scripts instead of tables', default: false }),
};

/** Flags of the commands that administer the schema registry (`trunkline schemas`). */
export const registryAdminSettings = {
  registryAdmin: setting.hostPorts({
    describe: "the schema registry's gRPC admin address",
    default: ['127.0.0.1:50052'],
  }),
  json: adminSettings.json,
};

/** Flags of the commands that administer the CDC ingestor (`trunkline sources`). */
export const cdcAdminSettings = {
  cdcAdmin: setting.hostPorts({
    describe: "the CDC ingestor's gRPC admin address",
    default: ['127.0.0.1:50053'],
  }),
  json: adminSettings.json,
};

/**
 * Flags of the commands that administer a sink service (`trunkline sinks`). No default: it
 * follows the service named (search-indexer: 127.0.0.1:50054).
 */
export const sinkAdminSettings = {
  sinkAdmin: setting.hostPorts({
    describe: "the sink service's gRPC admin address (default: 127.0.0.1 and the service's gRPC port)",
  }),
  json: adminSettings.json,
};

/** Flags of `trunkline search`. */
export const searchApiSettings = {
  searchApi: setting.hostPorts({
    describe: "the search indexer's gRPC address",
    default: ['127.0.0.1:50054'],
  }),
  json: adminSettings.json,
};

/** Splits `<positional...> [--flags]`: positionals come first, as in `topics describe orders --json`. */
export function splitArgs(args: readonly string[]): { positional: string[]; flags: string[] } {
  const first = args.findIndex((a) => a.startsWith('-'));
  return first < 0
    ? { positional: [...args], flags: [] }
    : { positional: args.slice(0, first), flags: args.slice(first) };
}

export function parseFlags<S extends SettingsSpec>(spec: S, flags: readonly string[]) {
  const parsed = parseSettings({ ...adminSettings, ...spec }, flags, process.env);
  if (parsed.help) throw new UsageError('use --help before any argument');
  return parsed.config;
}

export function brokerClient(address: readonly string[]): GrpcClient<typeof BrokerAdminService> {
  return createGrpcClient(BrokerAdminService, address[0]!);
}

/** Runs admin work against the broker, always closing the client. */
export async function withBroker<T>(
  address: readonly string[],
  work: (client: GrpcClient<typeof BrokerAdminService>) => Promise<T>,
): Promise<T> {
  const client = brokerClient(address);
  try {
    return await work(client);
  } finally {
    client.close();
  }
}

/** Runs admin work against the schema registry, always closing the client. */
export async function withRegistry<T>(
  address: readonly string[],
  work: (client: GrpcClient<typeof SchemaRegistryAdminService>) => Promise<T>,
): Promise<T> {
  const client = createGrpcClient(SchemaRegistryAdminService, address[0]!);
  try {
    return await work(client);
  } finally {
    client.close();
  }
}

/** Runs admin work against the CDC ingestor, always closing the client. */
export async function withCdc<T>(
  address: readonly string[],
  work: (client: GrpcClient<typeof CdcAdminService>) => Promise<T>,
): Promise<T> {
  const client = createGrpcClient(CdcAdminService, address[0]!);
  try {
    return await work(client);
  } finally {
    client.close();
  }
}

/** Runs admin work against a sink service, always closing the client. */
export async function withSink<T>(
  address: readonly string[],
  work: (client: GrpcClient<typeof SinkAdminService>) => Promise<T>,
): Promise<T> {
  const client = createGrpcClient(SinkAdminService, address[0]!);
  try {
    return await work(client);
  } finally {
    client.close();
  }
}

/** Runs queries against the search indexer, always closing the client. */
export async function withSearch<T>(
  address: readonly string[],
  work: (client: GrpcClient<typeof SearchService>) => Promise<T>,
): Promise<T> {
  const client = createGrpcClient(SearchService, address[0]!);
  try {
    return await work(client);
  } finally {
    client.close();
  }
}

export function printJson<D extends DescMessage>(schema: D, message: MessageShape<D>): void {
  process.stdout.write(`${JSON.stringify(toJson(schema, message, { alwaysEmitImplicit: true }), null, 2)}\n`);
}

/** `k=v,k2=v2` → { k: 'v', k2: 'v2' } */
export function keyValues(text: string | undefined, flag: string): Record<string, string> {
  if (text === undefined || text === '') return {};
  return Object.fromEntries(
    text.split(',').map((pair) => {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new UsageError(`${flag} takes name=value pairs separated by commas, got "${pair}"`);
      return [pair.slice(0, eq), pair.slice(eq + 1)];
    }),
  );
}

/** A `trunkline <noun> <verb> [arguments] [flags]` command from its verbs. */
export function verbCommand(
  name: string,
  summary: string,
  help: string,
  verbs: Record<string, (positional: string[], flags: string[]) => Promise<number>>,
): Command {
  return {
    name,
    summary,
    help: () => help,
    async run(args) {
      const [verb, ...rest] = args;
      const { positional, flags } = splitArgs(rest);
      if (verb === undefined || verb === '--help' || verb === '-h' || flags.includes('--help')) {
        process.stdout.write(help);
        return verb === undefined ? 2 : 0;
      }
      const handler = verbs[verb];
      if (handler === undefined)
        throw new UsageError(`unknown verb "${verb}" (${Object.keys(verbs).join(', ')})`);
      return handler(positional, flags);
    },
  };
}

/** The one positional argument a verb takes. */
export function single(positional: readonly string[], usage: string): string {
  if (positional.length !== 1) throw new UsageError(usage);
  return positional[0]!;
}
