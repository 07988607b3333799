import { field } from '../schema/fields';
import { ByteReader } from './byte-reader';
import { ByteWriter } from './byte-writer';
import { MalformedFrameError } from './protocol-error';
import { compileStruct } from './struct-codec';

const spec = {
  fields: [
    field.int16('errorCode', '0+'),
    field.nullableString('name', '0+', '1+'),
    field.int32('throttleTimeMs', '1+', { default: -1 }),
    field.array('items', '0+', [field.int32('id', '0+'), field.string('label', '2+')]),
    field.nullableArrayOf('ids', '0+', 'int64', '2+'),
    field.string('note', '2+', { tag: 0, taggedVersions: '2+' }),
  ],
};

function encode(version: number, flexible: boolean, value: Record<string, unknown>): Buffer {
  const writer = new ByteWriter();
  compileStruct(spec, version, flexible).write(writer, value);
  return writer.toBuffer();
}

function decode(version: number, flexible: boolean, bytes: Buffer) {
  const reader = new ByteReader(bytes);
  const value = compileStruct(spec, version, flexible).read(reader);
  expect(reader.remaining).toBe(0);
  return value;
}

describe('compileStruct', () => {
  it('writes the classic encoding: int16 string lengths, int32 array counts, no tags', () => {
    const bytes = encode(1, false, {
      errorCode: 3,
      name: 'ab',
      throttleTimeMs: 7,
      items: [{ id: 9 }],
      ids: [1n],
    });
    expect(bytes.toString('hex')).toBe(
      ['0003', '0002' + '6162', '00000007', '00000001' + '00000009', '00000001' + '0000000000000001'].join(
        '',
      ),
    );
    expect(decode(1, false, bytes)).toEqual({
      errorCode: 3,
      name: 'ab',
      throttleTimeMs: 7,
      items: [{ id: 9, label: '' }],
      ids: [1n],
      note: '',
    });
  });

  it('gives defaults for fields the version lacks', () => {
    const bytes = encode(0, false, { errorCode: 0, name: 'x', items: [], ids: [] });
    expect(decode(0, false, bytes).throttleTimeMs).toBe(-1);
  });

  it('writes compact lengths (+1, varint) and tagged fields in flexible versions', () => {
    const bytes = encode(2, true, {
      errorCode: 0,
      name: null,
      throttleTimeMs: 0,
      items: [{ id: 1, label: 'z' }],
      ids: null,
      note: 'hi',
    });
    expect(bytes.toString('hex')).toBe(
      [
        '0000', // errorCode
        '00', // null compact string
        '00000000', // throttle
        '02' + '00000001' + '02' + '7a' + '00', // 1 item: id, label "z", its (empty) tagged fields
        '00', // null compact array
        '01' + '00' + '03' + '03' + '6869', // 1 tagged field: tag 0, size 3, compact "hi" (length 2 + 1)
      ].join(''),
    );
    expect(decode(2, true, bytes)).toMatchObject({
      name: null,
      ids: null,
      note: 'hi',
      items: [{ id: 1, label: 'z' }],
    });
  });

  it('leaves a tagged field out while it has its default', () => {
    const bytes = encode(2, true, { errorCode: 0, name: 'a', items: [], ids: [] });
    expect(bytes[bytes.length - 1]).toBe(0);
    expect(decode(2, true, bytes).note).toBe('');
  });

  it('skips tagged fields it does not know', () => {
    const known = encode(2, true, { errorCode: 0, name: 'a', items: [], ids: [] });
    const withUnknown = Buffer.concat([
      known.subarray(0, known.length - 1),
      Buffer.from('01' + '05' + '02' + 'ffff', 'hex'),
    ]);
    expect(decode(2, true, withUnknown).name).toBe('a');
  });

  it('refuses null where the version does not allow it', () => {
    expect(() => encode(0, false, { errorCode: 0, name: null, items: [] })).toThrow('name may not be null');
    const nullName = Buffer.from('0000' + 'ffff' + '00000000' + '00000000', 'hex');
    expect(() => decode(0, false, nullName)).toThrow(MalformedFrameError);
  });

  it('refuses an array count larger than the bytes that follow', () => {
    const lying = Buffer.from('0000' + '0001' + '61' + '00000000' + '7fffffff', 'hex');
    expect(() => decode(1, false, lying)).toThrow('elements in');
  });
});
