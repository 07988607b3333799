import { ColumnValueError } from './column-value-error';

// Postgres renders dates and times with DateStyle=ISO (its default, and what the ingestor sets on
// its connections) and intervals with IntervalStyle=postgres (likewise). Other styles are rejected.

const MICROS_PER_SECOND = 1_000_000n;
const MICROS_PER_DAY = 86_400n * MICROS_PER_SECOND;

/** What `date 'infinity'` / `'-infinity'` become: the largest / smallest Avro int. */
export const DATE_INFINITY = 2 ** 31 - 1;
export const DATE_MINUS_INFINITY = -(2 ** 31);
/** What `timestamp[tz] 'infinity'` / `'-infinity'` become: the largest / smallest Avro long. */
export const TIMESTAMP_INFINITY = 2n ** 63n - 1n;
export const TIMESTAMP_MINUS_INFINITY = -(2n ** 63n);

/**
 * Days from 1970-01-01 to a day of the proleptic Gregorian calendar (which Postgres uses for all
 * dates), `year` astronomical (1 BC is year 0). Howard Hinnant's days_from_civil.
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

const DATE = /^(\d{4,})-(\d{2})-(\d{2})/;
const TIME = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?/;
const OFFSET = /^([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?/;

function fractionMicros(fraction: string | undefined): bigint {
  return fraction === undefined ? 0n : BigInt(fraction.padEnd(6, '0'));
}

interface Cursor {
  rest: string;
}

function readDate(typeName: string, text: string, cursor: Cursor, bc: boolean): number {
  const match = DATE.exec(cursor.rest);
  if (match === null) throw new ColumnValueError(typeName, text, 'not an ISO date (DateStyle must be ISO)');
  cursor.rest = cursor.rest.slice(match[0].length);
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31)
    throw new ColumnValueError(typeName, text, 'no such day');
  return daysFromCivil(bc ? 1 - year : year, month, day);
}

function readTime(typeName: string, text: string, cursor: Cursor): bigint {
  const match = TIME.exec(cursor.rest);
  if (match === null) throw new ColumnValueError(typeName, text, 'not an ISO time');
  cursor.rest = cursor.rest.slice(match[0].length);
  const seconds = Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
  return BigInt(seconds) * MICROS_PER_SECOND + fractionMicros(match[4]);
}

function readOffsetSeconds(typeName: string, text: string, cursor: Cursor): number {
  const match = OFFSET.exec(cursor.rest);
  if (match === null) throw new ColumnValueError(typeName, text, 'no UTC offset');
  cursor.rest = cursor.rest.slice(match[0].length);
  const seconds = Number(match[2]) * 3600 + Number(match[3] ?? 0) * 60 + Number(match[4] ?? 0);
  return match[1] === '-' ? -seconds : seconds;
}

/** Strips a trailing " BC" (Postgres's era marker in ISO style). */
function era(text: string): { body: string; bc: boolean } {
  return text.endsWith(' BC') ? { body: text.slice(0, -3), bc: true } : { body: text, bc: false };
}

function expectEnd(typeName: string, text: string, cursor: Cursor): void {
  if (cursor.rest !== '') throw new ColumnValueError(typeName, text, `unexpected "${cursor.rest}"`);
}

/** `date` → days since 1970-01-01; infinities → DATE_INFINITY / DATE_MINUS_INFINITY. */
export function parseDate(text: string): number {
  if (text === 'infinity') return DATE_INFINITY;
  if (text === '-infinity') return DATE_MINUS_INFINITY;
  const { body, bc } = era(text);
  const cursor = { rest: body };
  const days = readDate('date', text, cursor, bc);
  expectEnd('date', text, cursor);
  return days;
}

/** `time` → microseconds since midnight ("24:00:00" is 86 400 000 000). */
export function parseTime(text: string): bigint {
  const cursor = { rest: text };
  const micros = readTime('time', text, cursor);
  expectEnd('time', text, cursor);
  if (micros > MICROS_PER_DAY) throw new ColumnValueError('time', text, 'after 24:00:00');
  return micros;
}

/** Seconds within which seconds × 10^6 + micros stays an exact double (2^53). */
const EXACT_SECONDS = 9e9;

/** The number written by `length` digits at `at`, or -1 if any of them is not a digit. */
function digitsAt(text: string, at: number, length: number): number {
  let value = 0;
  for (let i = at; i < at + length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** An offset's optional `[:]MM` or `[:]SS` part at `at`: its value and where it ends, or undefined. */
function offsetPart(text: string, at: number): { value: number; end: number } | undefined {
  const colon = text.charCodeAt(at) === 58 ? 1 : 0;
  if (at + colon + 2 > text.length) return undefined;
  const value = digitsAt(text, at + colon, 2);
  return value < 0 ? undefined : { value, end: at + colon + 2 };
}

/**
 * parseTimestamp's result for the shape nearly every timestamp prints in, "YYYY-MM-DD
 * HH:MM:SS[.ffffff]" (a 4-digit year AD) with an offset "±HH[[:]MM[[:]SS]]" exactly when
 * `withTimeZone`, read char by char and computed in doubles (the snapshot parses one per row);
 * undefined for any other text (BC, infinities, 5-digit years, a missing or unexpected offset,
 * far instants), which the general path parses or refuses.
 */
function commonTimestamp(text: string, withTimeZone: boolean): bigint | undefined {
  const length = text.length;
  if (length < 19) return undefined;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hours = digitsAt(text, 11, 2);
  const minutes = digitsAt(text, 14, 2);
  const secs = digitsAt(text, 17, 2);
  const separator = text.charCodeAt(10);
  if (
    (year | month | day | hours | minutes | secs) < 0 ||
    text.charCodeAt(4) !== 45 || // -
    text.charCodeAt(7) !== 45 ||
    (separator !== 32 && separator !== 84) || // space or T
    text.charCodeAt(13) !== 58 || // :
    text.charCodeAt(16) !== 58 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31
  )
    return undefined;
  let at = 19;
  let micros = 0;
  if (at < length && text.charCodeAt(at) === 46) {
    // .f{1,6}
    let scale = 100_000;
    at++;
    const first = at;
    for (; at < length && at - first < 6; at++) {
      const digit = text.charCodeAt(at) - 48;
      if (digit < 0 || digit > 9) break;
      micros += digit * scale;
      scale /= 10;
    }
    if (at === first) return undefined;
  }
  let offset = 0;
  const sign = at < length ? text.charCodeAt(at) : 0;
  if (sign === 43 || sign === 45) {
    // ±HH[[:]MM[[:]SS]]
    if (!withTimeZone || at + 3 > length) return undefined;
    const offsetHours = digitsAt(text, at + 1, 2);
    if (offsetHours < 0) return undefined;
    offset = offsetHours * 3600;
    at += 3;
    const offsetMinutes = offsetPart(text, at);
    if (offsetMinutes !== undefined) {
      offset += offsetMinutes.value * 60;
      at = offsetMinutes.end;
      const offsetSeconds = offsetPart(text, at);
      if (offsetSeconds !== undefined) {
        offset += offsetSeconds.value;
        at = offsetSeconds.end;
      }
    }
    if (sign === 45) offset = -offset;
  } else if (withTimeZone) {
    return undefined;
  }
  if (at !== length) return undefined;
  const seconds = daysFromCivil(year, month, day) * 86_400 + hours * 3600 + minutes * 60 + secs - offset;
  if (seconds >= EXACT_SECONDS || seconds <= -EXACT_SECONDS) return undefined;
  return BigInt(seconds * 1_000_000 + micros);
}

/**
 * `timestamp` (local, read as if UTC) or `timestamptz` (its offset applied, so UTC) →
 * microseconds since 1970-01-01T00:00:00Z; infinities → TIMESTAMP_INFINITY / _MINUS_INFINITY,
 * and so are instants after the largest Avro long (see below).
 */
export function parseTimestamp(text: string, withTimeZone: boolean): bigint {
  const common = commonTimestamp(text, withTimeZone);
  if (common !== undefined) return common;
  if (text === 'infinity') return TIMESTAMP_INFINITY;
  if (text === '-infinity') return TIMESTAMP_MINUS_INFINITY;
  const typeName = withTimeZone ? 'timestamptz' : 'timestamp';
  const { body, bc } = era(text);
  const cursor = { rest: body };
  const days = readDate(typeName, text, cursor, bc);
  if (!cursor.rest.startsWith(' ') && !cursor.rest.startsWith('T')) {
    throw new ColumnValueError(typeName, text, 'no time of day');
  }
  cursor.rest = cursor.rest.slice(1);
  let micros = BigInt(days) * MICROS_PER_DAY + readTime(typeName, text, cursor);
  if (withTimeZone) micros -= BigInt(readOffsetSeconds(typeName, text, cursor)) * MICROS_PER_SECOND;
  expectEnd(typeName, text, cursor);
  // Postgres counts microseconds from 2000 in an int64, so its last ~29 years (after
  // 294247-01-10T04:00:54.775807Z) are beyond an int64 counted from 1970: they read as infinity.
  return micros > TIMESTAMP_INFINITY ? TIMESTAMP_INFINITY : micros;
}

const INTERVAL_UNIT: Record<string, 'years' | 'months' | 'days'> = {
  year: 'years',
  years: 'years',
  mon: 'months',
  mons: 'months',
  day: 'days',
  days: 'days',
};

function isoSeconds(micros: bigint): string {
  const negative = micros < 0n;
  const magnitude = negative ? -micros : micros;
  const whole = magnitude / MICROS_PER_SECOND;
  const fraction = (magnitude % MICROS_PER_SECOND).toString().padStart(6, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction === '' ? '' : `.${fraction}`}`;
}

/**
 * `interval` (IntervalStyle=postgres, e.g. "1 year 2 mons -3 days +04:05:06.5") → an ISO-8601
 * duration with every component, each signed on its own, as Debezium's
 * interval.handling.mode=string writes it: "P1Y2M-3DT4H5M6.5S". Intervals already in ISO-8601
 * (IntervalStyle=iso_8601) are passed through, and so are Postgres 17's "infinity" and
 * "-infinity", which ISO-8601 cannot write.
 */
export function parseInterval(text: string): string {
  if (text.startsWith('P') || text === 'infinity' || text === '-infinity') return text;
  const parts = { years: 0, months: 0, days: 0 };
  let micros = 0n;
  const tokens = text.split(' ').filter((token) => token !== '');
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index]!;
    const time = /^([+-]?)(\d+):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(token);
    if (time !== null) {
      const seconds = BigInt(time[2]!) * 3600n + BigInt(Number(time[3]) * 60 + Number(time[4]));
      const magnitude = seconds * MICROS_PER_SECOND + fractionMicros(time[5]);
      micros += time[1] === '-' ? -magnitude : magnitude;
      continue;
    }
    const unit = INTERVAL_UNIT[tokens[index + 1] ?? ''];
    if (!/^[+-]?\d+$/.test(token) || unit === undefined) {
      throw new ColumnValueError('interval', text, 'not in IntervalStyle postgres');
    }
    parts[unit] += Number(token);
    index += 1;
  }
  const totalMonths = parts.years * 12 + parts.months;
  const years = Math.trunc(totalMonths / 12);
  const months = totalMonths % 12;
  const sign = micros < 0n ? -1n : 1n;
  const magnitude = micros * sign;
  const hours = (magnitude / 3_600_000_000n) * sign;
  const minutes = ((magnitude / 60_000_000n) % 60n) * sign;
  const seconds = (magnitude % 60_000_000n) * sign;
  return `P${years}Y${months}M${parts.days}DT${hours}H${minutes}M${isoSeconds(seconds)}S`;
}
