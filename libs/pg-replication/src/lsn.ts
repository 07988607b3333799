/**
 * A write-ahead log position: an unsigned 64-bit byte offset into the WAL. Postgres prints it as
 * two hexadecimal halves, `16/B374D848` (high 32 bits / low 32 bits).
 */
export type Lsn = bigint;

/** The invalid position `0/0`; also "start where the slot's confirmed_flush_lsn is". */
export const INVALID_LSN: Lsn = 0n;

const MAX_LSN = (1n << 64n) - 1n;
const LSN_TEXT = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/** Parses Postgres' `XXXXXXXX/XXXXXXXX` text form. Throws a RangeError for anything else. */
export function parseLsn(text: string): Lsn {
  const match = LSN_TEXT.exec(text);
  if (match === null)
    throw new RangeError(`not an LSN: ${JSON.stringify(text)} (expected e.g. '16/B374D848')`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

/** Formats as Postgres does: upper-case hexadecimal halves without leading zeros, `16/B374D848`. */
export function formatLsn(lsn: Lsn): string {
  if (lsn < 0n || lsn > MAX_LSN) throw new RangeError(`LSN out of range: ${lsn}`);
  const high = (lsn >> 32n).toString(16).toUpperCase();
  const low = (lsn & 0xffffffffn).toString(16).toUpperCase();
  return `${high}/${low}`;
}
