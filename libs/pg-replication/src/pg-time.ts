/** Microseconds between the Unix epoch (1970-01-01) and the Postgres epoch (2000-01-01), UTC. */
export const PG_EPOCH_OFFSET_MICROS = 946_684_800_000_000n;

/** A Postgres timestamp (microseconds since 2000-01-01 UTC) as microseconds since the Unix epoch. */
export function pgMicrosToUnixMicros(pgMicros: bigint): bigint {
  return pgMicros + PG_EPOCH_OFFSET_MICROS;
}

/** Microseconds since the Unix epoch as a Postgres timestamp (microseconds since 2000-01-01 UTC). */
export function unixMicrosToPgMicros(unixMicros: bigint): bigint {
  return unixMicros - PG_EPOCH_OFFSET_MICROS;
}

/** The current time in microseconds since the Unix epoch (millisecond precision). */
export function nowUnixMicros(): bigint {
  return BigInt(Date.now()) * 1000n;
}
