import { frame, frameProtobuf, unframe, unframeProtobuf, WireFormatError } from './wire-format';

describe('the Confluent wire format', () => {
  it('prefixes magic byte 0 and the big-endian schema id', () => {
    const value = frame(258, Buffer.from('payload'));
    expect(value.subarray(0, 5).toString('hex')).toBe('0000000102');
    expect(unframe(value)).toEqual({ schemaId: 258, payload: Buffer.from('payload') });
  });

  it('writes the first Protobuf message as a single 0 and other paths as zig-zag varints', () => {
    expect(frameProtobuf(7, [0], Buffer.from([0x08, 0x01])).toString('hex')).toBe(
      '0000000007' + '00' + '0801',
    );
    // [1, 2]: count 2 → 04, 1 → 02, 2 → 04
    const nested = frameProtobuf(7, [1, 2], Buffer.from([0x08, 0x01]));
    expect(nested.toString('hex')).toBe('0000000007' + '040204' + '0801');
    expect(unframeProtobuf(nested)).toEqual({
      schemaId: 7,
      messageIndexes: [1, 2],
      payload: Buffer.from([0x08, 0x01]),
    });
    expect(unframeProtobuf(frameProtobuf(7, [0], Buffer.alloc(0))).messageIndexes).toEqual([0]);
  });

  it.each([
    ['too short', Buffer.from([0, 0, 1])],
    ['another magic byte', Buffer.from([1, 0, 0, 0, 1, 9])],
  ])('refuses a value that is %s', (_, value) => {
    expect(() => unframe(value)).toThrow(WireFormatError);
  });

  it('refuses Protobuf message indexes that do not parse', () => {
    expect(() => unframeProtobuf(Buffer.from([0, 0, 0, 0, 1, 0xff]))).toThrow(WireFormatError);
  });
});
