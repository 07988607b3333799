import type { DescMessage, DescService, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import type { Metadata } from '@grpc/grpc-js';

/** What a handler knows about the call it serves. */
export interface CallContext {
  /** Aborted when the caller cancels or the deadline passes: stop work, nobody is listening. */
  readonly signal: AbortSignal;
  /**
   * Aborted when the server begins shutting down. Short calls may ignore it and finish;
   * long-polls and following streams should wind down and return what they have.
   */
  readonly shutdown: AbortSignal;
  readonly metadata: Metadata;
  readonly peer: string;
}

export type UnaryImpl<I extends DescMessage, O extends DescMessage> = (
  request: MessageShape<I>,
  context: CallContext,
) => Promise<MessageInitShape<O>> | MessageInitShape<O>;

export type ServerStreamingImpl<I extends DescMessage, O extends DescMessage> = (
  request: MessageShape<I>,
  context: CallContext,
) => AsyncIterable<MessageInitShape<O>>;

type MethodImpl<M> = M extends { methodKind: 'unary'; input: infer I; output: infer O }
  ? I extends DescMessage
    ? O extends DescMessage
      ? UnaryImpl<I, O>
      : never
    : never
  : M extends { methodKind: 'server_streaming'; input: infer I; output: infer O }
    ? I extends DescMessage
      ? O extends DescMessage
        ? ServerStreamingImpl<I, O>
        : never
      : never
    : never;

/** Handlers for every RPC of a generated service, keyed by the method's local name. */
export type ServiceImpl<S extends DescService> = { [K in keyof S['method']]: MethodImpl<S['method'][K]> };
