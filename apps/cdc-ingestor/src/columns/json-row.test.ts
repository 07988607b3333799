import { UNCHANGED_TOAST } from './column-codec';
import { jsonRowText } from './json-row';

describe('jsonRowText', () => {
  it('writes bigints as exact integers and Buffers as base64', () => {
    const row = {
      id: 9_223_372_036_854_775_807n,
      when: [-1n, null],
      price: Buffer.from([0xfb, 0x2e]),
      name: 'a "b"',
      ratio: 0.5,
    };
    expect(jsonRowText(row)).toBe(
      '{"id":9223372036854775807,"when":[-1,null],"price":"+y4=","name":"a \\"b\\"","ratio":0.5}',
    );
  });

  it('writes non-finite floats as null and leaves out the unchanged-TOAST marker', () => {
    expect(jsonRowText({ a: Number.NaN, b: UNCHANGED_TOAST, c: 1 })).toBe('{"a":null,"c":1}');
  });
});
