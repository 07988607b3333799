import { twosComplementBytes } from '@trunkline/serde';
import { ColumnValueError } from './column-value-error';

/** Precision and scale of a `numeric` column, or undefined for `numeric` without a precision. */
export interface NumericModifier {
  precision: number;
  scale: number;
}

const VARHDRSZ = 4;

/**
 * Reads the type modifier of `numeric(p,s)`: `((p << 16) | s) + 4`, the scale an 11-bit signed
 * number since Postgres 15 (which allows negative scales and scales above the precision).
 */
export function numericModifier(typmod: number): NumericModifier | undefined {
  if (typmod < VARHDRSZ) return undefined;
  const value = typmod - VARHDRSZ;
  return { precision: (value >> 16) & 0xffff, scale: ((value & 0x7ff) ^ 1024) - 1024 };
}

/**
 * The Avro decimal that holds every value of `numeric(p,s)`. Avro needs 0 <= scale <= precision:
 * a negative scale only ever yields integers (scale 0, precision p - s), a scale above the
 * precision yields values of at most s fraction digits (precision s).
 */
export function avroDecimalOf(modifier: NumericModifier): NumericModifier {
  if (modifier.scale < 0) return { precision: modifier.precision - modifier.scale, scale: 0 };
  return { precision: Math.max(modifier.precision, modifier.scale), scale: modifier.scale };
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/** The special values of `numeric`, which no Avro decimal can hold. */
export const NUMERIC_SPECIALS: ReadonlySet<string> = new Set(['NaN', 'Infinity', '-Infinity']);

/**
 * The unscaled integer of a decimal string at `scale`: "-12.30" at scale 2 is -1230n. Exact; it
 * throws when the text has more non-zero fraction digits than the scale allows.
 */
export function unscaledDecimal(text: string, scale: number): bigint {
  const match = DECIMAL.exec(text);
  if (match === null || (match[2] === '' && (match[3] ?? '') === '')) {
    throw new ColumnValueError('numeric', text, 'not a decimal number');
  }
  const [, sign, whole = '', fraction = ''] = match;
  let digits: string;
  if (fraction.length <= scale) {
    digits = whole + fraction.padEnd(scale, '0');
  } else {
    const dropped = fraction.slice(scale);
    if (!/^0*$/.test(dropped)) {
      throw new ColumnValueError('numeric', text, `more than ${scale} fraction digits`);
    }
    digits = whole + fraction.slice(0, scale);
  }
  const magnitude = BigInt(digits === '' ? '0' : digits);
  return sign === '-' ? -magnitude : magnitude;
}

/** The Avro decimal bytes (unscaled, big-endian two's complement) of a decimal string. */
export function decimalBytes(text: string, scale: number): Buffer {
  return twosComplementBytes(unscaledDecimal(text, scale));
}
