import { RegistryState } from './registry-state';
import type { SchemaValue } from './schema-records';

const value = (subject: string, version: number, id: number, deleted = false): SchemaValue => ({
  subject,
  version,
  id,
  schemaType: 'AVRO',
  references: [],
  schema: `"v${id}"`,
  deleted,
});
const put = (state: RegistryState, v: SchemaValue) =>
  state.apply({ key: { keytype: 'SCHEMA', subject: v.subject, version: v.version }, value: v });

describe('RegistryState', () => {
  it('applies schema records idempotently and tracks the highest id ever seen', () => {
    const state = new RegistryState();
    put(state, value('a', 1, 1));
    put(state, value('a', 1, 1));
    put(state, value('b', 1, 1));
    put(state, value('a', 2, 3));
    expect(state.versions('a').map((v) => v.version)).toEqual([1, 2]);
    expect(state.usesOfId(1).map((v) => v.subject)).toEqual(['a', 'b']);
    expect(state.maxId).toBe(3);
    // a tombstone removes the version; the id stays used by b, and maxId never goes down
    state.apply({ key: { keytype: 'SCHEMA', subject: 'a', version: 2 }, value: null });
    expect(state.usesOfId(3)).toEqual([]);
    expect(state.maxId).toBe(3);
  });

  it('soft-deletes every version up to the one a DELETE_SUBJECT names', () => {
    const state = new RegistryState();
    put(state, value('a', 1, 1));
    put(state, value('a', 2, 2));
    put(state, value('a', 3, 3));
    state.apply({ key: { keytype: 'DELETE_SUBJECT', subject: 'a' }, value: { subject: 'a', version: 2 } });
    expect(state.versions('a').map((v) => v.version)).toEqual([3]);
    expect(state.versions('a', true).map((v) => [v.version, v.deleted])).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ]);
  });

  it('keeps configs and modes per subject and globally; CLEAR_SUBJECT drops a subject’s', () => {
    const state = new RegistryState();
    state.apply({ key: { keytype: 'CONFIG', subject: null }, value: { compatibilityLevel: 'FULL' } });
    state.apply({ key: { keytype: 'CONFIG', subject: 's' }, value: { compatibilityLevel: 'NONE' } });
    state.apply({ key: { keytype: 'MODE', subject: 's' }, value: { mode: 'READONLY' } });
    expect(state.config(null)?.compatibilityLevel).toBe('FULL');
    expect(state.config('s')?.compatibilityLevel).toBe('NONE');
    state.apply({ key: { keytype: 'CLEAR_SUBJECT', subject: 's' }, value: { subject: 's' } });
    expect(state.config('s')).toBeUndefined();
    expect(state.mode('s')).toBeUndefined();
    state.apply({ key: { keytype: 'CONFIG', subject: null }, value: null });
    expect(state.config(null)).toBeUndefined();
  });

  it('finds live schemas that reference a subject version', () => {
    const state = new RegistryState();
    put(state, value('address', 1, 1));
    put(state, {
      ...value('customer', 1, 2),
      references: [{ name: 'Address', subject: 'address', version: 1 }],
    });
    expect(state.referencedBy('address', 1).map((v) => v.id)).toEqual([2]);
    put(state, {
      ...value('customer', 1, 2, true),
      references: [{ name: 'Address', subject: 'address', version: 1 }],
    });
    expect(state.referencedBy('address', 1)).toEqual([]);
  });
});
