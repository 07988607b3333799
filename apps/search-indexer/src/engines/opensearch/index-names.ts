import { createHash } from 'node:crypto';
import { Code, TrunklineError } from '@trunkline/runtime';

/** OpenSearch refuses index names over 255 bytes. */
const MAX_NAME_BYTES = 255;
/** Room kept at the end of an alias for the generation suffix (`-v` and up to 10 digits). */
const GENERATION_ROOM = 12;
const PREFIX = /^[a-z0-9][a-z0-9._-]*$/;
const GENERATION = /-v(\d+)$/;

/**
 * Checks an index prefix: lowercase letters, digits, `.`, `_` and `-`, not starting with a
 * punctuation character (OpenSearch refuses names starting with `-`, `_` or `+`).
 */
export function validIndexPrefix(prefix: string): string {
  if (!PREFIX.test(prefix) || prefix.length > 64) {
    throw new TrunklineError(
      Code.InvalidArgument,
      `index prefix ${JSON.stringify(prefix)} is invalid: expected 1 to 64 of a-z, 0-9, ".", "_", "-", starting with a letter or digit`,
      { details: { prefix } },
    );
  }
  return prefix;
}

/**
 * The alias through which a source table (`schema.table`) is read and written: the prefix, then
 * the table name lowercased with every character outside `a-z0-9._` replaced by `_`. `-` is
 * replaced too, so only a generation suffix ever ends an index name in `-v<n>`. When the name
 * had to change (case, characters, length) an 8-hex-digit hash of the original is appended, so
 * `public.Items` and `public.items` (distinct tables in Postgres) never share an alias.
 */
export function aliasName(prefix: string, table: string): string {
  validIndexPrefix(prefix);
  let cleaned = table.toLowerCase().replace(/[^a-z0-9._]/g, '_');
  const room = MAX_NAME_BYTES - GENERATION_ROOM - prefix.length;
  const changed = cleaned !== table || cleaned.length > room;
  if (changed) {
    const hash = createHash('sha256').update(table).digest('hex').slice(0, 8);
    cleaned = `${cleaned.slice(0, room - 9)}-${hash}`;
  }
  return `${prefix}${cleaned}`;
}

/** The concrete index of one generation of an alias: `<alias>-v<generation>`. */
export function generationIndexName(alias: string, generation: number): string {
  if (!Number.isSafeInteger(generation) || generation < 1) {
    throw new TrunklineError(
      Code.InvalidArgument,
      `index generation ${generation} is invalid: expected 1 or more`,
    );
  }
  return `${alias}-v${generation}`;
}

/** The generation of a concrete index name (`…-v3` is 3), or undefined for other names. */
export function generationOf(index: string): number | undefined {
  const match = GENERATION.exec(index);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** The index a rebuild builds next to `current`: one generation up. */
export function nextGenerationIndexName(alias: string, current: string): string {
  return generationIndexName(alias, (generationOf(current) ?? 0) + 1);
}
