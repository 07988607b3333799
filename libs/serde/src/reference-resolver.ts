import type { ResolvedReference, SchemaReference, SubjectVersion } from './schema-types';

/** Where references are fetched from: a SchemaRegistryClient. */
export interface ReferenceSource {
  getVersion(subject: string, version: number): Promise<SubjectVersion>;
}

/**
 * Fetches each reference by subject and version, and theirs in turn. A reference cycle
 * (a → b → a) is cut where it closes: the repeated schema is listed without its references.
 */
export async function resolveReferences(
  source: ReferenceSource,
  references: readonly SchemaReference[],
  path: readonly string[] = [],
): Promise<ResolvedReference[]> {
  return Promise.all(
    references.map(async ({ name, subject, version }) => {
      const found = await source.getVersion(subject, version);
      const key = `${subject}/${found.version}`;
      const nested = path.includes(key)
        ? []
        : await resolveReferences(source, found.references, [...path, key]);
      return { name, subject, version: found.version, schema: found.schema, references: nested };
    }),
  );
}

/** Every reference in the tree once, dependencies before the schemas that import them. */
export function referencesInDependencyOrder(references: readonly ResolvedReference[]): ResolvedReference[] {
  const ordered: ResolvedReference[] = [];
  const seen = new Set<string>();
  const visit = (reference: ResolvedReference) => {
    if (seen.has(reference.name)) return;
    seen.add(reference.name);
    for (const nested of reference.references) visit(nested);
    ordered.push(reference);
  };
  for (const reference of references) visit(reference);
  return ordered;
}
