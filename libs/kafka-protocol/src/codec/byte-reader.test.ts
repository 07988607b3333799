import { ByteReader } from './byte-reader';
import { ByteWriter } from './byte-writer';
import { MalformedFrameError } from './protocol-error';

describe('varints', () => {
  it.each([
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [300, 'ac02'],
    [0xffffffff, 'ffffffff0f'],
  ])('unsigned %d is %s', (value, hex) => {
    const writer = new ByteWriter();
    writer.uvarint(value);
    expect(writer.toBuffer().toString('hex')).toBe(hex);
    expect(new ByteReader(Buffer.from(hex, 'hex')).uvarint()).toBe(value);
  });

  it.each([
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [-64, '7f'],
    [64, '8001'],
  ])('zigzag %d is %s', (value, hex) => {
    const writer = new ByteWriter();
    writer.varint(value);
    expect(writer.toBuffer().toString('hex')).toBe(hex);
    expect(new ByteReader(Buffer.from(hex, 'hex')).varint()).toBe(value);
  });

  it.each([0n, -1n, 1n, 1700000000000n, -(2n ** 63n), 2n ** 63n - 1n])('varlong %d round-trips', (value) => {
    const writer = new ByteWriter();
    writer.varlong(value);
    expect(new ByteReader(writer.toBuffer()).varlong()).toBe(value);
  });

  it('refuses a varint that never ends', () => {
    expect(() => new ByteReader(Buffer.from('ffffffffff', 'hex')).uvarint()).toThrow(MalformedFrameError);
  });
});

describe('ByteReader bounds', () => {
  it('throws MalformedFrameError instead of reading past the end', () => {
    const reader = new ByteReader(Buffer.from('0001', 'hex'));
    expect(() => reader.int32()).toThrow(MalformedFrameError);
  });
});

describe('ByteWriter', () => {
  it('references large byte strings instead of copying them', () => {
    const big = Buffer.alloc(64 * 1024, 7);
    const writer = new ByteWriter();
    writer.int32(big.length);
    writer.bytes(big);
    const chunks = writer.finish();
    expect(chunks).toContain(big);
    expect(writer.length).toBe(4 + big.length);
  });
});
