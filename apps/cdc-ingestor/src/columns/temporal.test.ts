import fc from 'fast-check';
import {
  DATE_INFINITY,
  DATE_MINUS_INFINITY,
  daysFromCivil,
  parseDate,
  parseInterval,
  parseTime,
  parseTimestamp,
  TIMESTAMP_INFINITY,
  TIMESTAMP_MINUS_INFINITY,
} from './temporal';

const DAY = 86_400_000_000n;

describe('parseDate', () => {
  it('counts days from 1970-01-01', () => {
    expect(parseDate('1970-01-01')).toBe(0);
    expect(parseDate('1970-01-02')).toBe(1);
    expect(parseDate('1969-12-31')).toBe(-1);
    expect(parseDate('2000-03-01')).toBe(11_017);
    expect(parseDate('0001-01-01')).toBe(-719_162);
  });

  it('reads BC dates as astronomical years (1 BC is year 0)', () => {
    expect(parseDate('0001-12-31 BC')).toBe(-719_163);
    expect(parseDate('0001-01-01 BC')).toBe(daysFromCivil(0, 1, 1));
    expect(parseDate('4713-11-24 BC')).toBe(daysFromCivil(-4712, 11, 24));
  });

  it('reads years beyond 9999', () => {
    expect(parseDate('5874897-12-31')).toBe(daysFromCivil(5_874_897, 12, 31));
    expect(parseDate('5874897-12-31')).toBeLessThan(DATE_INFINITY);
  });

  it('maps the infinities to the ends of an Avro int', () => {
    expect(parseDate('infinity')).toBe(DATE_INFINITY);
    expect(parseDate('-infinity')).toBe(DATE_MINUS_INFINITY);
  });

  it('refuses other date styles', () => {
    expect(() => parseDate('01/02/2020')).toThrow('DateStyle must be ISO');
    expect(() => parseDate('2020-01-02x')).toThrow('unexpected');
  });

  it('agrees with Date for years 1 to 9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: -719_162, max: 2_932_896 }), (days) => {
        const text = new Date(days * 86_400_000).toISOString().slice(0, 10);
        expect(parseDate(text)).toBe(days);
      }),
    );
  });
});

describe('parseTime', () => {
  it('counts microseconds from midnight', () => {
    expect(parseTime('00:00:00')).toBe(0n);
    expect(parseTime('12:00:00.5')).toBe(43_200_500_000n);
    expect(parseTime('23:59:59.999999')).toBe(DAY - 1n);
    expect(parseTime('24:00:00')).toBe(DAY);
  });

  it('refuses what is not a time', () => {
    expect(() => parseTime('24:00:01')).toThrow('after 24:00:00');
    expect(() => parseTime('12:00')).toThrow('not an ISO time');
    expect(() => parseTime('12:00:00+02')).toThrow('unexpected');
  });
});

describe('parseTimestamp', () => {
  it('reads a local timestamp as UTC, with fractional seconds', () => {
    expect(parseTimestamp('1970-01-01 00:00:00', false)).toBe(0n);
    expect(parseTimestamp('2024-02-29 13:14:15.123456', false)).toBe(
      BigInt(Date.UTC(2024, 1, 29, 13, 14, 15, 123)) * 1000n + 456n,
    );
    expect(parseTimestamp('2024-02-29 13:14:15.1', false)).toBe(
      BigInt(Date.UTC(2024, 1, 29, 13, 14, 15, 100)) * 1000n,
    );
  });

  it('applies positive, negative and odd offsets', () => {
    const noon = BigInt(Date.UTC(2024, 5, 1, 12)) * 1000n;
    expect(parseTimestamp('2024-06-01 12:00:00+00', true)).toBe(noon);
    expect(parseTimestamp('2024-06-01 17:30:00+05:30', true)).toBe(noon);
    expect(parseTimestamp('2024-06-01 04:00:00-08', true)).toBe(noon);
    expect(parseTimestamp('2024-06-01 08:30:00-03:30', true)).toBe(noon);
    expect(parseTimestamp('2024-06-01 12:53:28+00:53:28', true)).toBe(noon);
    expect(parseTimestamp('1969-12-31 23:59:59.999999-00', true)).toBe(-1n);
  });

  it('reads BC timestamps', () => {
    expect(parseTimestamp('0001-12-31 23:59:59.999999 BC', false)).toBe(-719_162n * DAY - 1n);
    expect(parseTimestamp('0044-03-15 12:00:00+00 BC', true)).toBe(
      BigInt(daysFromCivil(-43, 3, 15)) * DAY + 12n * 3_600_000_000n,
    );
    expect(parseTimestamp('0044-03-15 12:00:00+01:00 BC', true)).toBe(
      BigInt(daysFromCivil(-43, 3, 15)) * DAY + 11n * 3_600_000_000n,
    );
  });

  it('reads timestamps beyond 2^53 microseconds up to the largest Avro long', () => {
    expect(parseTimestamp('200000-12-31 23:59:59.999999', false)).toBe(
      BigInt(daysFromCivil(200_000, 12, 31) + 1) * DAY - 1n,
    );
    expect(parseTimestamp('294247-01-10 04:00:54.775806', false)).toBe(TIMESTAMP_INFINITY - 1n);
  });

  it('reads the last years of Postgres, beyond an Avro long, as infinity', () => {
    expect(parseTimestamp('294247-01-10 04:00:54.775808', false)).toBe(TIMESTAMP_INFINITY);
    expect(parseTimestamp('294276-12-31 23:59:59.999999', false)).toBe(TIMESTAMP_INFINITY);
  });

  it('maps the infinities to the ends of an Avro long', () => {
    expect(parseTimestamp('infinity', true)).toBe(TIMESTAMP_INFINITY);
    expect(parseTimestamp('-infinity', false)).toBe(TIMESTAMP_MINUS_INFINITY);
  });

  it('refuses a timestamptz without an offset, or text after it', () => {
    expect(() => parseTimestamp('2024-06-01 12:00:00', true)).toThrow('no UTC offset');
    expect(() => parseTimestamp('2024-06-01 12:00:00+02 CET', true)).toThrow('unexpected');
    expect(() => parseTimestamp('2024-06-01', false)).toThrow('no time of day');
  });

  it('agrees with Date for instants in years 1 to 9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }), (ms) => {
        const iso = new Date(ms).toISOString();
        const text = `${iso.slice(0, 10)} ${iso.slice(11, 23)}+00`;
        expect(parseTimestamp(text, true)).toBe(BigInt(ms) * 1000n);
      }),
    );
  });
});

describe('parseInterval', () => {
  it.each([
    ['00:00:00', 'P0Y0M0DT0H0M0S'],
    ['1 year 2 mons 3 days 04:05:06.789', 'P1Y2M3DT4H5M6.789S'],
    ['1 day', 'P0Y0M1DT0H0M0S'],
    ['-1 days +02:03:00', 'P0Y0M-1DT2H3M0S'],
    ['-04:05:06.000001', 'P0Y0M0DT-4H-5M-6.000001S'],
    ['-1 years -2 mons', 'P-1Y-2M0DT0H0M0S'],
    ['1 year -1 mons', 'P0Y11M0DT0H0M0S'],
    ['100:00:00', 'P0Y0M0DT100H0M0S'],
    [
      '178956970 years 7 mons 2147483647 days 2562047788:00:54.775807',
      'P178956970Y7M2147483647DT2562047788H0M54.775807S',
    ],
  ])('writes %s as %s', (text, expected) => {
    expect(parseInterval(text)).toBe(expected);
  });

  it('passes ISO-8601 intervals through', () => {
    expect(parseInterval('P1Y2M3DT4H5M6S')).toBe('P1Y2M3DT4H5M6S');
  });

  it('passes the infinities of Postgres 17 through', () => {
    expect(parseInterval('infinity')).toBe('infinity');
    expect(parseInterval('-infinity')).toBe('-infinity');
  });

  it('refuses other interval styles', () => {
    expect(() => parseInterval('@ 1 year ago')).toThrow('IntervalStyle');
    expect(() => parseInterval('1-2')).toThrow('IntervalStyle');
  });
});

describe('parseTimestamp, common shape', () => {
  // The common shape is parsed on a faster path: it must agree with JavaScript's own calendar.
  it('agrees with Date for instants from year 1000 to 2999, any offset', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -30_610_224_000_000, max: 32_503_679_999_999 }),
        fc.integer({ min: 0, max: 999 }),
        fc.integer({ min: -15 * 60, max: 15 * 60 }),
        (ms, extraMicros, offsetMinutes) => {
          const local = new Date(ms + offsetMinutes * 60_000).toISOString(); // 1234-05-06T07:08:09.123Z
          const sign = offsetMinutes < 0 ? '-' : '+';
          const abs = Math.abs(offsetMinutes);
          const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
          const micros = `${local.slice(20, 23)}${String(extraMicros).padStart(3, '0')}`;
          const text = `${local.slice(0, 10)} ${local.slice(11, 19)}.${micros}${offset}`;
          const expected = BigInt(ms - (((ms % 1000) + 1000) % 1000)) * 1000n + BigInt(Number(micros));
          expect(parseTimestamp(text, true)).toBe(expected);
          expect(parseTimestamp(`${local.slice(0, 10)} ${local.slice(11, 19)}.${micros}`, false)).toBe(
            BigInt(ms + offsetMinutes * 60_000 - (((ms % 1000) + 1000) % 1000)) * 1000n +
              BigInt(Number(micros)),
          );
        },
      ),
    );
  });

  it.each([
    ['2024-06-01 12:00:00+05:30', '2024-06-01T12:00:00+05:30', 0],
    ['2024-06-01T12:00:00.5-0330', '2024-06-01T12:00:00-03:30', 500_000],
    ['2024-06-01 12:00:00.000001+00', '2024-06-01T12:00:00Z', 1],
    ['1969-12-31 23:59:59.999999+00', '1969-12-31T23:59:59Z', 999_999],
  ])('reads %s', (text, iso, micros) => {
    expect(parseTimestamp(text, true)).toBe(BigInt(Date.parse(iso)) * 1000n + BigInt(micros));
  });

  it('reads offsets with seconds as the general path does', () => {
    // 12:00:00+05:30:15 is 06:29:45 UTC.
    expect(parseTimestamp('2024-06-01 12:00:00+05:30:15', true)).toBe(
      BigInt(Date.parse('2024-06-01T06:29:45Z')) * 1000n,
    );
    expect(parseTimestamp('2024-06-01 12:00:00+053015', true)).toBe(
      BigInt(Date.parse('2024-06-01T06:29:45Z')) * 1000n,
    );
  });

  it.each([
    '2024-06-01 12:00:00.1234567+00',
    '2024-06-01 12:00:00.+00',
    '2024-06-01 12:00:00+05:',
    '2024-06-01 12:00:00+5',
    '2024-06-01 12:00+00',
    '2024-06-01 12:00:00+00 junk',
  ])('refuses %s', (text) => {
    expect(() => parseTimestamp(text, true)).toThrow();
  });

  it('still refuses an offset on a timestamp and its absence on a timestamptz', () => {
    expect(() => parseTimestamp('2024-06-01 12:00:00+00', false)).toThrow();
    expect(() => parseTimestamp('2024-06-01 12:00:00', true)).toThrow();
    expect(() => parseTimestamp('2024-13-01 12:00:00+00', true)).toThrow();
  });
});
