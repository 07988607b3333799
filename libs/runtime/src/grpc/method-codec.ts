import { create, type DescMessage, fromBinary, type MessageInitShape, toBinary } from '@bufbuild/protobuf';

/** Serialize/deserialize pair that grpc-js needs for one message type. */
export interface MessageCodec<M extends DescMessage> {
  serialize(value: MessageInitShape<M>): Buffer;
  deserialize(bytes: Buffer): ReturnType<typeof fromBinary<M>>;
}

export function messageCodec<M extends DescMessage>(schema: M): MessageCodec<M> {
  return {
    serialize: (value) => {
      const bytes = toBinary(schema, create(schema, value));
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
    deserialize: (bytes) => fromBinary(schema, bytes),
  };
}

/** The HTTP/2 path of an RPC: `/package.Service/Method`. */
export function methodPath(serviceTypeName: string, methodName: string): string {
  return `/${serviceTypeName}/${methodName}`;
}
