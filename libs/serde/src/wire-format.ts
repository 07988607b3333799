import { ByteReader, ByteWriter, MalformedFrameError } from '@trunkline/kafka-protocol';

/** The first byte of every value in Confluent's wire format. */
export const MAGIC_BYTE = 0;

/** A value that is not in Confluent's wire format (or names no schema); the record goes to the dead-letter topic. */
export class WireFormatError extends Error {
  override readonly name = 'WireFormatError';
}

export interface FramedValue {
  schemaId: number;
  /** Protobuf only: the path of the message type within its file (first message: [0]). */
  messageIndexes?: number[];
  /** The serialized Avro, Protobuf or JSON payload. */
  payload: Buffer;
}

/** magic byte 0, 4-byte big-endian schema id, then the payload. */
export function frame(schemaId: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(MAGIC_BYTE, 0);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, payload]);
}

/**
 * Protobuf values carry the message's index path after the id: a zig-zag varint count then
 * each index, with the common case [0] written as a single 0.
 */
export function frameProtobuf(schemaId: number, messageIndexes: readonly number[], payload: Buffer): Buffer {
  const writer = new ByteWriter(16);
  if (messageIndexes.length === 1 && messageIndexes[0] === 0) writer.varint(0);
  else {
    writer.varint(messageIndexes.length);
    for (const index of messageIndexes) writer.varint(index);
  }
  return frame(schemaId, Buffer.concat([writer.toBuffer(), payload]));
}

function header(value: Buffer): { schemaId: number } {
  if (value.length < 5)
    throw new WireFormatError(`a ${value.length}-byte value is too short for the wire format`);
  if (value[0] !== MAGIC_BYTE)
    throw new WireFormatError(`unknown magic byte ${value[0]} (expected ${MAGIC_BYTE})`);
  return { schemaId: value.readUInt32BE(1) };
}

/** Splits an Avro or JSON value into its schema id and payload. */
export function unframe(value: Buffer): FramedValue {
  return { ...header(value), payload: value.subarray(5) };
}

/** Splits a Protobuf value into schema id, message indexes and payload. */
export function unframeProtobuf(value: Buffer): FramedValue & { messageIndexes: number[] } {
  const { schemaId } = header(value);
  const reader = new ByteReader(value, 5);
  try {
    const count = reader.varint();
    if (count < 0 || count > 100) throw new WireFormatError(`implausible message index count ${count}`);
    const messageIndexes = count === 0 ? [0] : Array.from({ length: count }, () => reader.varint());
    return { schemaId, messageIndexes, payload: value.subarray(reader.position) };
  } catch (error) {
    if (error instanceof MalformedFrameError) throw new WireFormatError(`message indexes: ${error.message}`);
    throw error;
  }
}
