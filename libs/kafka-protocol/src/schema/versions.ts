/**
 * A range of API versions as Kafka's message descriptions write it: "3+" (3 and later),
 * "0-8" (0 through 8), "5" (only 5) or "none".
 */
export type VersionRange = string;

export interface Versions {
  readonly min: number;
  /** Inclusive; Infinity for an open range. */
  readonly max: number;
}

const NONE: Versions = { min: 1, max: 0 };
const parsed = new Map<VersionRange, Versions>();

export function parseVersions(range: VersionRange): Versions {
  let versions = parsed.get(range);
  if (versions !== undefined) return versions;
  const match = /^(\d+)(\+|-(\d+))?$/.exec(range);
  if (range === 'none') versions = NONE;
  else if (match === null) throw new Error(`bad version range "${range}"`);
  else if (match[2] === '+') versions = { min: Number(match[1]), max: Number.POSITIVE_INFINITY };
  else if (match[3] !== undefined) versions = { min: Number(match[1]), max: Number(match[3]) };
  else versions = { min: Number(match[1]), max: Number(match[1]) };
  parsed.set(range, versions);
  return versions;
}

export function inVersions(version: number, range: VersionRange | undefined): boolean {
  if (range === undefined) return false;
  const { min, max } = parseVersions(range);
  return version >= min && version <= max;
}
