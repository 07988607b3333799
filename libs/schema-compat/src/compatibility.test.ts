import { compatibilityProblems } from './compatibility';
import type { ParsedSchema, SchemaFormat } from './schema-format';

/**
 * A toy schema language for the level logic alone: a schema is a set of required field
 * names, and a reader can read a writer's data when the writer has every field it requires.
 */
interface FieldSet extends ParsedSchema {
  fields: Set<string>;
}

const fieldSets: SchemaFormat<FieldSet> = {
  type: 'JSON',
  parse: (text) => ({ type: 'JSON', canonical: text, fields: new Set(text.split(',').filter(Boolean)) }),
  readerIncompatibilities: (reader, writer) =>
    [...reader.fields].filter((f) => !writer.fields.has(f)).map((f) => `field ${f} is missing`),
};

const v = (text: string) => fieldSets.parse(text, []);

describe('compatibilityProblems', () => {
  const v1 = v('a');
  const v2 = v('a,b');
  const v3 = v('b');

  it('BACKWARD checks that the candidate reads the latest version only', () => {
    expect(compatibilityProblems(fieldSets, 'BACKWARD', v3, [v1, v2])).toEqual([]);
    expect(compatibilityProblems(fieldSets, 'BACKWARD', v('a,c'), [v1, v2])).toEqual([
      'reading data written with the latest version: field c is missing',
    ]);
  });

  it('BACKWARD_TRANSITIVE checks every earlier version, newest first', () => {
    expect(compatibilityProblems(fieldSets, 'BACKWARD_TRANSITIVE', v3, [v1, v2])).toEqual([
      'reading data written with version 1: field b is missing',
    ]);
  });

  it('FORWARD checks that the latest version reads the candidate', () => {
    expect(compatibilityProblems(fieldSets, 'FORWARD', v3, [v1, v2])).toEqual([
      "the latest version reading the new schema's data: field a is missing",
    ]);
  });

  it('FULL checks both directions, and NONE nothing', () => {
    expect(compatibilityProblems(fieldSets, 'FULL', v2, [v2])).toEqual([]);
    expect(compatibilityProblems(fieldSets, 'FULL', v1, [v2])).toHaveLength(1);
    expect(compatibilityProblems(fieldSets, 'FULL_TRANSITIVE', v('c'), [v1, v2])).toHaveLength(5);
    expect(compatibilityProblems(fieldSets, 'NONE', v('c'), [v1, v2])).toEqual([]);
  });

  it('accepts any first version', () => {
    expect(compatibilityProblems(fieldSets, 'FULL_TRANSITIVE', v1, [])).toEqual([]);
  });
});
