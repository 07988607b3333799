import fc from 'fast-check';
import { formatLsn, INVALID_LSN, parseLsn } from './lsn';

describe('lsn', () => {
  it('parses the two hexadecimal halves', () => {
    expect(parseLsn('16/B374D848')).toBe(0x16b374d848n);
    expect(parseLsn('0/0')).toBe(INVALID_LSN);
    expect(parseLsn('FFFFFFFF/FFFFFFFF')).toBe((1n << 64n) - 1n);
    expect(parseLsn('0/1a')).toBe(0x1an);
  });

  it('formats as Postgres prints it', () => {
    expect(formatLsn(0x16b374d848n)).toBe('16/B374D848');
    expect(formatLsn(0n)).toBe('0/0');
    expect(formatLsn(0x100000000n)).toBe('1/0');
  });

  it('rejects malformed text and out-of-range values', () => {
    for (const text of ['', '16', '16/', '/1', '1/2/3', 'G/0', '123456789/0', ' 0/0']) {
      expect(() => parseLsn(text)).toThrow(RangeError);
    }
    expect(() => formatLsn(-1n)).toThrow(RangeError);
    expect(() => formatLsn(1n << 64n)).toThrow(RangeError);
  });

  it('round-trips every 64-bit value', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (lsn) => {
        expect(parseLsn(formatLsn(lsn))).toBe(lsn);
      }),
    );
  });
});
