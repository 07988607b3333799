import { checkSlotName, publicationNamesOption, quoteTableName, replicationLiteral } from './names';
import { ReplicationError } from './replication-error';

describe('names', () => {
  it('accepts only valid slot names', () => {
    expect(checkSlotName('cdc_slot_1')).toBe('cdc_slot_1');
    for (const bad of ['', 'Upper', 'with-dash', 'a b', "x'", 'x'.repeat(64)]) {
      expect(() => checkSlotName(bad)).toThrow(ReplicationError);
    }
  });

  it('quotes table names as identifiers', () => {
    expect(quoteTableName('orders')).toBe('"orders"');
    expect(quoteTableName('public.orders')).toBe('"public.orders"');
    expect(quoteTableName({ schema: 'Sales', name: 'we"ird' })).toBe('"Sales"."we""ird"');
    expect(quoteTableName({ name: 'x' })).toBe('"x"');
  });

  it('writes replication-grammar literals', () => {
    expect(replicationLiteral("it's \\ fine")).toBe("'it''s \\ fine'");
    expect(publicationNamesOption(['a', 'My "Pub"', "o'k"])).toBe(`'"a","My ""Pub""","o''k"'`);
    expect(() => publicationNamesOption([])).toThrow(ReplicationError);
    expect(() => replicationLiteral('\0')).toThrow(ReplicationError);
  });
});
