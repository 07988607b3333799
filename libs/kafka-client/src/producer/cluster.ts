import {
  type ApiSpec,
  ApiVersions,
  ErrorCode,
  errorByCode,
  InitProducerId,
  Metadata,
  Produce,
} from '@trunkline/kafka-protocol';
import { BrokerConnection, ConnectionError } from './broker-connection';

/** Versions this client speaks, per API, highest first chosen within what the broker offers. */
const SPOKEN: readonly [ApiSpec, number, number][] = [
  [Produce, 3, 9],
  [Metadata, 1, 9],
  [InitProducerId, 0, 4],
];

/** A partition's leader could not be found (yet): the caller retries after a pause. */
export class RouteError extends Error {
  override readonly name = 'RouteError';
}

export interface TopicRoute {
  partitions: number;
  /** Leader node id per partition (-1: none right now). */
  leaders: number[];
}

export interface ClusterOptions {
  bootstrap: readonly string[];
  clientId: string;
  requestTimeoutMs: number;
}

function hostPort(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(address.slice(at + 1)) };
}

/**
 * What the producer knows of the cluster: a connection per broker (opened on demand, opened
 * again after a failure), the API versions to use, and each topic's partitions and leaders.
 */
export class Cluster {
  private readonly nodes = new Map<number, { host: string; port: number }>();
  private readonly connections = new Map<string, Promise<BrokerConnection>>();
  private readonly routes = new Map<string, TopicRoute>();
  private versions: Map<number, number> | undefined;
  private bootstrapIndex = 0;
  private closed = false;

  constructor(private readonly options: ClusterOptions) {}

  version(api: ApiSpec): number {
    const version = this.versions?.get(api.apiKey);
    if (version === undefined) throw new Error(`no ${api.name} version agreed with the broker yet`);
    return version;
  }

  route(topic: string): TopicRoute | undefined {
    return this.routes.get(topic);
  }

  /** Forgets a topic's leaders, after an answer that says they moved or a broker that failed. */
  forget(topic: string): void {
    this.routes.delete(topic);
  }

  /** A connection to some broker, trying the bootstrap addresses in turn. */
  async any(): Promise<BrokerConnection> {
    const { bootstrap } = this.options;
    let lastError: Error | undefined;
    for (let i = 0; i < bootstrap.length; i++) {
      const address = bootstrap[(this.bootstrapIndex + i) % bootstrap.length]!;
      try {
        return await this.connection(address);
      } catch (error) {
        lastError = error as Error;
      }
    }
    this.bootstrapIndex++;
    throw lastError ?? new ConnectionError('no bootstrap broker');
  }

  /** The connection to a node from the metadata. */
  async node(nodeId: number): Promise<BrokerConnection> {
    const node = this.nodes.get(nodeId);
    if (node === undefined) throw new RouteError(`broker ${nodeId} is not in the metadata`);
    return this.connection(`${node.host}:${node.port}`);
  }

  /** Reads the partitions and leaders of `topics` (creating them if the broker auto-creates). */
  async refresh(topics: readonly string[]): Promise<void> {
    const connection = await this.any();
    const body = (await connection.request(Metadata, this.version(Metadata), {
      topics: topics.map((name) => ({ name })),
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    })) as {
      brokers: { nodeId: number; host: string; port: number }[];
      topics: {
        errorCode: number;
        name: string | null;
        partitions: { errorCode: number; partitionIndex: number; leaderId: number }[];
      }[];
    };
    for (const broker of body.brokers)
      this.nodes.set(broker.nodeId, { host: broker.host, port: broker.port });
    for (const topic of body.topics) {
      if (topic.name === null) continue;
      if (topic.errorCode !== ErrorCode.NONE || topic.partitions.length === 0) {
        this.routes.delete(topic.name);
        continue;
      }
      const leaders = new Array<number>(topic.partitions.length).fill(-1);
      for (const p of topic.partitions) leaders[p.partitionIndex] = p.leaderId;
      this.routes.set(topic.name, { partitions: topic.partitions.length, leaders });
    }
    for (const topic of topics) {
      if (!this.routes.has(topic)) {
        const code = body.topics.find((t) => t.name === topic)?.errorCode ?? -1;
        throw new RouteError(`no leaders for ${topic} yet (${errorByCode(code)?.name ?? code})`);
      }
    }
  }

  /** A new producer id and epoch (idempotent, not transactional). */
  async initProducerId(): Promise<{ producerId: bigint; producerEpoch: number }> {
    const connection = await this.any();
    const body = (await connection.request(InitProducerId, this.version(InitProducerId), {
      transactionalId: null,
      transactionTimeoutMs: 60_000,
      producerId: -1n,
      producerEpoch: -1,
    })) as { errorCode: number; producerId: bigint; producerEpoch: number };
    if (body.errorCode !== ErrorCode.NONE) {
      const error = errorByCode(body.errorCode);
      throw new RouteError(`InitProducerId: ${error?.name ?? body.errorCode}`);
    }
    return { producerId: body.producerId, producerEpoch: body.producerEpoch };
  }

  close(): void {
    this.closed = true;
    for (const connection of this.connections.values())
      connection.then((c) => c.close()).catch(() => undefined);
    this.connections.clear();
  }

  private async connection(address: string): Promise<BrokerConnection> {
    if (this.closed) throw new ConnectionError('the producer is closed');
    const existing = this.connections.get(address);
    if (existing !== undefined) {
      const open = await existing.catch(() => undefined);
      if (open?.isOpen) return open;
      if (this.connections.get(address) === existing) this.connections.delete(address);
      return this.connection(address);
    }
    const { host, port } = hostPort(address);
    const opening = BrokerConnection.open(host, port, {
      clientId: this.options.clientId,
      connectTimeoutMs: Math.min(10_000, this.options.requestTimeoutMs),
      requestTimeoutMs: this.options.requestTimeoutMs,
    }).then(async (connection) => {
      if (this.versions === undefined) this.versions = await negotiate(connection);
      return connection;
    });
    this.connections.set(address, opening);
    try {
      return await opening;
    } catch (error) {
      if (this.connections.get(address) === opening) this.connections.delete(address);
      throw error;
    }
  }
}

/** The highest version of each API both sides speak (ApiVersions v2: every broker in use has it). */
async function negotiate(connection: BrokerConnection): Promise<Map<number, number>> {
  const body = (await connection.request(ApiVersions, 2, {})) as {
    errorCode: number;
    apiKeys: { apiKey: number; minVersion: number; maxVersion: number }[];
  };
  if (body.errorCode !== ErrorCode.NONE)
    throw new ConnectionError(`ApiVersions: ${errorByCode(body.errorCode)?.name ?? body.errorCode}`);
  const chosen = new Map<number, number>();
  for (const [api, min, max] of SPOKEN) {
    const offered = body.apiKeys.find((k) => k.apiKey === api.apiKey);
    const version = offered === undefined ? -1 : Math.min(max, offered.maxVersion);
    if (offered === undefined || version < Math.max(min, offered.minVersion))
      throw new ConnectionError(`the broker speaks no ${api.name} version this client does (${min}-${max})`);
    chosen.set(api.apiKey, version);
  }
  return chosen;
}
