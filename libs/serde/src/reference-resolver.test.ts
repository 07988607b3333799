import { type ReferenceSource, referencesInDependencyOrder, resolveReferences } from './reference-resolver';
import type { SchemaReference, SubjectVersion } from './schema-types';

/** Registered schemas as plain data: subject → versions (index 0 is version 1). */
function source(
  subjects: Record<string, { schema: string; references?: SchemaReference[] }[]>,
): ReferenceSource {
  return {
    getVersion: async (subject, version) => {
      const versions = subjects[subject] ?? [];
      const number = version < 0 ? versions.length : version;
      const found = versions[number - 1];
      if (found === undefined) throw new Error(`no ${subject} v${version}`);
      return {
        subject,
        version: number,
        id: number,
        schema: found.schema,
        schemaType: 'PROTOBUF',
        references: found.references ?? [],
      } satisfies SubjectVersion;
    },
  };
}

describe('resolveReferences', () => {
  const registry = source({
    money: [{ schema: 'money v1' }, { schema: 'money v2' }],
    order: [{ schema: 'order v1', references: [{ name: 'money.proto', subject: 'money', version: 2 }] }],
    a: [{ schema: 'a', references: [{ name: 'b.proto', subject: 'b', version: 1 }] }],
    b: [{ schema: 'b', references: [{ name: 'a.proto', subject: 'a', version: 1 }] }],
  });

  it('fetches references by subject and version, recursively', async () => {
    const resolved = await resolveReferences(registry, [
      { name: 'order.proto', subject: 'order', version: 1 },
    ]);
    expect(resolved).toEqual([
      {
        name: 'order.proto',
        subject: 'order',
        version: 1,
        schema: 'order v1',
        references: [
          { name: 'money.proto', subject: 'money', version: 2, schema: 'money v2', references: [] },
        ],
      },
    ]);
    expect(referencesInDependencyOrder(resolved).map((r) => r.name)).toEqual(['money.proto', 'order.proto']);
  });

  it('resolves version -1 to the latest version', async () => {
    const [money] = await resolveReferences(registry, [{ name: 'm', subject: 'money', version: -1 }]);
    expect(money?.version).toBe(2);
  });

  it('stops at a reference cycle', async () => {
    const [a] = await resolveReferences(registry, [{ name: 'a.proto', subject: 'a', version: 1 }]);
    expect(a?.references[0]?.references[0]).toMatchObject({ name: 'a.proto', references: [] });
  });
});
