import type {
  DescMessage,
  DescMethod,
  DescService,
  MessageInitShape,
  MessageShape,
} from '@bufbuild/protobuf';
import { type CallOptions, Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { messageCodec, methodPath } from './method-codec';
import { fromServiceError } from './status';

export interface ClientCallOptions {
  /** Give up (DEADLINE_EXCEEDED) after this long. */
  timeoutMs?: number;
  /** Cancel the call (CANCELLED) when aborted. */
  signal?: AbortSignal;
  metadata?: Record<string, string>;
}

type ClientMethod<M> = M extends { methodKind: 'unary'; input: infer I; output: infer O }
  ? I extends DescMessage
    ? O extends DescMessage
      ? (request: MessageInitShape<I>, options?: ClientCallOptions) => Promise<MessageShape<O>>
      : never
    : never
  : M extends { methodKind: 'server_streaming'; input: infer I; output: infer O }
    ? I extends DescMessage
      ? O extends DescMessage
        ? (request: MessageInitShape<I>, options?: ClientCallOptions) => AsyncIterable<MessageShape<O>>
        : never
      : never
    : never;

/** A typed client: one async method per RPC; failures throw TrunklineError with the status code. */
export type GrpcClient<S extends DescService> = { [K in keyof S['method']]: ClientMethod<S['method'][K]> } & {
  close(): void;
};

/** Creates a typed client of a generated service at `host:port` (plaintext). */
export function createGrpcClient<S extends DescService>(service: S, address: string): GrpcClient<S> {
  const client = new Client(address, credentials.createInsecure());
  const methods: Record<string, unknown> = { close: () => client.close() };
  for (const method of service.methods) {
    switch (method.methodKind) {
      case 'unary':
        methods[method.localName] = unaryCaller(client, method);
        break;
      case 'server_streaming':
        methods[method.localName] = serverStreamCaller(client, method);
        break;
      default:
        // Other kinds are left out: the server side does not serve them either.
        break;
    }
  }
  return methods as GrpcClient<S>;
}

function callOptions(options: ClientCallOptions | undefined): { metadata: Metadata; call: CallOptions } {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(options?.metadata ?? {})) metadata.set(key, value);
  const call: CallOptions = {};
  if (options?.timeoutMs !== undefined) call.deadline = Date.now() + options.timeoutMs;
  return { metadata, call };
}

/** What every call of a method needs: its path and its request and response codecs. */
function methodParts(method: DescMethod) {
  return {
    input: messageCodec(method.input),
    output: messageCodec(method.output),
    path: methodPath(method.parent.typeName, method.name),
  };
}

function unaryCaller(client: Client, method: DescMethod) {
  const { input, output, path } = methodParts(method);
  return (request: MessageInitShape<DescMessage>, options?: ClientCallOptions) =>
    new Promise((resolve, reject) => {
      const { metadata, call: opts } = callOptions(options);
      const call = client.makeUnaryRequest(
        path,
        input.serialize,
        output.deserialize,
        request,
        metadata,
        opts,
        (error: ServiceError | null, response) =>
          error ? reject(fromServiceError(error)) : resolve(response),
      );
      options?.signal?.addEventListener('abort', () => call.cancel(), { once: true });
    });
}

function serverStreamCaller(client: Client, method: DescMethod) {
  const { input, output, path } = methodParts(method);
  return async function* (request: MessageInitShape<DescMessage>, options?: ClientCallOptions) {
    const { metadata, call: opts } = callOptions(options);
    const call = client.makeServerStreamRequest(
      path,
      input.serialize,
      output.deserialize,
      request,
      metadata,
      opts,
    );
    const cancel = () => call.cancel();
    options?.signal?.addEventListener('abort', cancel, { once: true });
    try {
      for await (const message of call) yield message as MessageShape<DescMessage>;
    } catch (error) {
      throw isServiceError(error) ? fromServiceError(error) : error;
    } finally {
      options?.signal?.removeEventListener('abort', cancel);
      call.cancel();
    }
  };
}

function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number';
}
