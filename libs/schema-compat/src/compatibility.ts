import type { ParsedSchema, SchemaFormat } from './schema-format';

export const COMPATIBILITY_LEVELS = [
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
  'NONE',
] as const;

export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

/**
 * Reasons a candidate schema breaks `level` against the subject's earlier versions (oldest
 * first); empty when it is compatible. BACKWARD: the candidate reads data written with the
 * latest version; FORWARD: the latest reads the candidate's data; FULL: both. The
 * *_TRANSITIVE levels check every earlier version instead of only the latest.
 */
export function compatibilityProblems<P extends ParsedSchema>(
  format: SchemaFormat<P>,
  level: CompatibilityLevel,
  candidate: P,
  previous: readonly P[],
): string[] {
  if (level === 'NONE' || previous.length === 0) return [];
  const transitive = level.endsWith('_TRANSITIVE');
  const against = transitive ? [...previous].reverse() : [previous[previous.length - 1]!];
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  const problems: string[] = [];
  for (const [index, earlier] of against.entries()) {
    const which = transitive ? `version ${previous.length - index}` : 'the latest version';
    if (backward) {
      for (const p of format.readerIncompatibilities(candidate, earlier))
        problems.push(`reading data written with ${which}: ${p}`);
    }
    if (forward) {
      for (const p of format.readerIncompatibilities(earlier, candidate))
        problems.push(`${which} reading the new schema's data: ${p}`);
    }
  }
  return problems;
}
