import { findMessage, parseProtobufSchema } from './protobuf-schema';
import { decodeProtobuf, encodeProtobuf } from './protobuf-serde';
import { DeserializationError, SerializationError } from './serde-errors';
import { unframeProtobuf } from './wire-format';

const schema = parseProtobufSchema(`syntax = "proto3";
package shop;
message Order {
  message Line { string sku = 1; int32 quantity = 2; }
  int64 id = 1;
  repeated Line lines = 2;
  Status status = 3;
}
enum Status { UNKNOWN = 0; PAID = 1; }
`);

describe('Protobuf encoding', () => {
  it('round-trips a message framed with its id and message indexes', () => {
    const order = findMessage(schema, 'Order');
    const framed = encodeProtobuf(9, schema, order, {
      id: '9007199254740993',
      lines: [{ sku: 'A-1', quantity: 2 }],
      status: 'PAID',
    });
    const { schemaId, messageIndexes, payload } = unframeProtobuf(framed);
    expect({ schemaId, messageIndexes }).toEqual({ schemaId: 9, messageIndexes: [0] });
    expect(decodeProtobuf(schema, messageIndexes, payload)).toEqual({
      messageType: 'shop.Order',
      value: { id: '9007199254740993', lines: [{ sku: 'A-1', quantity: 2 }], status: 'PAID' },
    });
  });

  it('frames a nested message with its path', () => {
    const line = findMessage(schema, 'Order.Line');
    const { messageIndexes, payload } = unframeProtobuf(
      encodeProtobuf(9, schema, line, { sku: 'B', quantity: 1 }),
    );
    expect(messageIndexes).toEqual([0, 0]);
    expect(decodeProtobuf(schema, messageIndexes, payload).value).toEqual({ sku: 'B', quantity: 1 });
  });

  it('refuses a value that does not match the message', () => {
    expect(() => encodeProtobuf(9, schema, findMessage(schema), { lines: 'not a list' })).toThrow(
      SerializationError,
    );
  });

  it('refuses message indexes or payloads that do not fit the schema', () => {
    expect(() => decodeProtobuf(schema, [3], Buffer.alloc(0))).toThrow(DeserializationError);
    expect(() => decodeProtobuf(schema, [0], Buffer.from([0x12, 0x05, 0x0a]))).toThrow(DeserializationError);
  });
});
