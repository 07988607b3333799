import { keyIdentity, parseWatermark, SnapshotWindow, watermarkContent } from './snapshot-window';

const keyOf = (row: Record<string, unknown>) => ({ id: row.id });
const rows = (...ids: number[]) => ids.map((id) => ({ id, value: `v${id}` }));

describe('SnapshotWindow', () => {
  it('keeps every chunk row when nothing changed between the watermarks', () => {
    const window = new SnapshotWindow('w', 7);
    window.open();
    window.setChunk(rows(1, 2, 3));
    expect(window.close(keyOf)).toEqual(rows(1, 2, 3));
  });

  it('drops the rows whose keys changed between the watermarks: the stream has newer values', () => {
    const window = new SnapshotWindow('w', 7);
    window.open();
    window.noteChange({ id: 2 });
    window.setChunk(rows(1, 2, 3));
    window.noteChange({ id: 3 });
    window.noteChange({ id: 9 });
    expect(window.close(keyOf)).toEqual(rows(1));
  });

  it('ignores changes read before the open watermark', () => {
    const window = new SnapshotWindow('w', 7);
    window.noteChange({ id: 1 });
    window.open();
    window.setChunk(rows(1, 2));
    expect(window.close(keyOf)).toEqual(rows(1, 2));
  });

  it('drops the whole chunk after a truncate in the window', () => {
    const window = new SnapshotWindow('w', 7);
    window.open();
    window.noteChange(null);
    window.setChunk(rows(1, 2));
    expect(window.close(keyOf)).toEqual([]);
  });

  it('refuses to close before its chunk was read', () => {
    const window = new SnapshotWindow('w', 7);
    window.open();
    expect(() => window.close(keyOf)).toThrow('closed before its chunk was read');
  });

  it('matches keys by value whatever their JavaScript types', () => {
    const window = new SnapshotWindow('w', 7);
    window.open();
    window.noteChange({ id: 5n, tag: Buffer.from('ab') });
    window.setChunk([
      { id: 5n, tag: Buffer.from('ab') },
      { id: 5n, tag: Buffer.from('ac') },
    ]);
    expect(window.close((row) => ({ id: row.id, tag: row.tag }))).toEqual([
      { id: 5n, tag: Buffer.from('ac') },
    ]);
  });
});

describe('watermarks', () => {
  it('round-trip through their message content', () => {
    const content = watermarkContent({ window: 'abc', edge: 'close' });
    expect(parseWatermark(content)).toEqual({ window: 'abc', edge: 'close' });
  });

  it('are not read from other content', () => {
    expect(parseWatermark('not json')).toBeUndefined();
    expect(parseWatermark('{"window":"a","edge":"middle"}')).toBeUndefined();
    expect(parseWatermark('{"edge":"open"}')).toBeUndefined();
  });
});

describe('keyIdentity', () => {
  it('tells apart keys JSON alone would not', () => {
    expect(keyIdentity({ id: 1n })).not.toBe(keyIdentity({ id: '1' }));
    expect(keyIdentity({ id: 1n })).toBe(keyIdentity({ id: 1n }));
    expect(keyIdentity({ b: new Uint8Array([1]) })).toBe(keyIdentity({ b: Buffer.from([1]) }));
  });
});
