import { decimalText, integerOfTwosComplement, twosComplementBytes } from '@trunkline/serde';
import fc from 'fast-check';
import { avroDecimalOf, decimalBytes, numericModifier, unscaledDecimal } from './decimal';

const hex = (bytes: Buffer) => bytes.toString('hex');

describe('numericModifier', () => {
  it('reads precision and scale from the typmod', () => {
    expect(numericModifier(((10 << 16) | 2) + 4)).toEqual({ precision: 10, scale: 2 });
    expect(numericModifier(((50 << 16) | 0) + 4)).toEqual({ precision: 50, scale: 0 });
  });

  it('reads a negative scale (Postgres 15+)', () => {
    expect(numericModifier(((3 << 16) | (-2 & 0x7ff)) + 4)).toEqual({ precision: 3, scale: -2 });
  });

  it('is undefined for numeric without a precision', () => {
    expect(numericModifier(-1)).toBeUndefined();
  });
});

describe('avroDecimalOf', () => {
  it('keeps an ordinary precision and scale', () => {
    expect(avroDecimalOf({ precision: 10, scale: 2 })).toEqual({ precision: 10, scale: 2 });
  });

  it('raises the precision to a scale above it', () => {
    expect(avroDecimalOf({ precision: 3, scale: 5 })).toEqual({ precision: 5, scale: 5 });
  });

  it('turns a negative scale into integers', () => {
    expect(avroDecimalOf({ precision: 3, scale: -2 })).toEqual({ precision: 5, scale: 0 });
  });
});

describe('twosComplementBytes', () => {
  it.each([
    [0n, '00'],
    [1n, '01'],
    [127n, '7f'],
    [128n, '0080'],
    [255n, '00ff'],
    [256n, '0100'],
    [-1n, 'ff'],
    [-128n, '80'],
    [-129n, 'ff7f'],
    [-256n, 'ff00'],
    [-32768n, '8000'],
    [-32769n, 'ff7fff'],
  ])('writes %p as %s, shortest first', (value, expected) => {
    expect(hex(twosComplementBytes(value))).toBe(expected);
    expect(integerOfTwosComplement(twosComplementBytes(value))).toBe(value);
  });

  it('round-trips any integer', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }), (value) => {
        expect(integerOfTwosComplement(twosComplementBytes(value))).toBe(value);
      }),
    );
  });
});

describe('decimalBytes', () => {
  it('writes zero as one zero byte, at any scale', () => {
    expect(hex(decimalBytes('0', 0))).toBe('00');
    expect(hex(decimalBytes('0.00', 2))).toBe('00');
    expect(hex(decimalBytes('-0.00', 2))).toBe('00');
  });

  it('writes negatives in two’s complement', () => {
    expect(unscaledDecimal('-12.34', 2)).toBe(-1234n);
    expect(hex(decimalBytes('-12.34', 2))).toBe('fb2e');
    expect(hex(decimalBytes('-1.28', 2))).toBe('80');
  });

  it('pads missing fraction digits to the scale', () => {
    expect(unscaledDecimal('12', 3)).toBe(12000n);
    expect(unscaledDecimal('12.5', 3)).toBe(12500n);
    expect(unscaledDecimal('.5', 1)).toBe(5n);
  });

  it('keeps a scale above the number of digits (numeric(3,5))', () => {
    expect(unscaledDecimal('0.00123', 5)).toBe(123n);
    expect(decimalText(decimalBytes('0.00123', 5), 5)).toBe('0.00123');
    expect(decimalText(decimalBytes('-0.00001', 5), 5)).toBe('-0.00001');
  });

  it('is exact at 38 digits and well beyond', () => {
    const big = '12345678901234567890123456789012345678.1234567890';
    expect(unscaledDecimal(big, 10)).toBe(123456789012345678901234567890123456781234567890n);
    expect(decimalText(decimalBytes(big, 10), 10)).toBe(big);
    const max38 = '9'.repeat(38);
    expect(hex(decimalBytes(max38, 0))).toBe('4b3b4ca85a86c47a098a223fffffffff');
    expect(decimalText(decimalBytes(`-${max38}`, 0), 0)).toBe(`-${max38}`);
  });

  it('drops fraction zeros beyond the scale but refuses to round', () => {
    expect(unscaledDecimal('1.500', 1)).toBe(15n);
    expect(() => unscaledDecimal('1.55', 1)).toThrow('more than 1 fraction digits');
  });

  it('refuses what is not a decimal', () => {
    for (const text of ['', '.', '1e5', 'NaN', '1.2.3', '--1', ' 1']) {
      expect(() => unscaledDecimal(text, 2)).toThrow('not a decimal number');
    }
  });

  it('round-trips any decimal through its bytes', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 60n), max: 10n ** 60n }),
        fc.nat({ max: 30 }),
        (unscaled, scale) => {
          const text = decimalText(twosComplementBytes(unscaled), scale);
          expect(unscaledDecimal(text, scale)).toBe(unscaled);
        },
      ),
    );
  });
});
