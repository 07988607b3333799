import { Code } from '@trunkline/runtime';
import {
  aliasName,
  generationIndexName,
  generationOf,
  nextGenerationIndexName,
  validIndexPrefix,
} from './index-names';

describe('index names', () => {
  it('names a table alias after the prefix and schema.table when the name is already valid', () => {
    expect(aliasName('trunkline-', 'public.items')).toBe('trunkline-public.items');
    expect(aliasName('t_', 'sales.order_lines2')).toBe('t_sales.order_lines2');
  });

  it('lowercases and replaces invalid characters, adding a hash of the original name', () => {
    const upper = aliasName('trunkline-', 'public.Items');
    const lower = aliasName('trunkline-', 'public.items');
    expect(upper).toMatch(/^trunkline-public\.items-[0-9a-f]{8}$/);
    expect(upper).not.toBe(lower);
    const odd = aliasName('p-', 'my schema."weird/table*"#1');
    expect(odd).toMatch(/^p-my_schema\._weird_table___1-[0-9a-f]{8}$/);
    // `-` in a table name is replaced too, so only a generation ends in -v<n>.
    expect(aliasName('p-', 'public.items-v2')).toMatch(/^p-public\.items_v2-[0-9a-f]{8}$/);
    expect(generationOf(aliasName('p-', 'public.items-v2'))).toBeUndefined();
  });

  it('keeps names within 255 bytes, generation included', () => {
    const alias = aliasName('trunkline-', `public.${'x'.repeat(400)}`);
    expect(Buffer.byteLength(generationIndexName(alias, 9_999_999_999))).toBeLessThanOrEqual(255);
    expect(alias).not.toBe(aliasName('trunkline-', `public.${'x'.repeat(401)}`));
  });

  it('refuses an invalid prefix', () => {
    for (const prefix of ['', '_x', '-x', 'Upper', 'a b', 'a*', 'x'.repeat(65)]) {
      expect(() => validIndexPrefix(prefix)).toThrow(expect.objectContaining({ code: Code.InvalidArgument }));
    }
    expect(validIndexPrefix('ci.run-1_')).toBe('ci.run-1_');
  });

  it('numbers generations', () => {
    expect(generationIndexName('trunkline-public.items', 1)).toBe('trunkline-public.items-v1');
    expect(generationOf('trunkline-public.items-v12')).toBe(12);
    expect(generationOf('trunkline-public.items')).toBeUndefined();
    expect(nextGenerationIndexName('trunkline-public.items', 'trunkline-public.items-v1')).toBe(
      'trunkline-public.items-v2',
    );
    expect(() => generationIndexName('a', 0)).toThrow(
      expect.objectContaining({ code: Code.InvalidArgument }),
    );
  });
});
