import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataLocation } from './data-location';
import { canTraverse } from './os-user';

describe('dataLocation', () => {
  let parent: string;
  // Another user than the owner of the temp dirs made below (which belong to whoever runs this).
  const stranger = { uid: 4_000_123, gid: 4_000_123 };

  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), 'trunkline-location-'));
  });

  afterEach(() => rmSync(parent, { recursive: true, force: true }));

  it('is the data dir itself when Postgres runs as the current user', () => {
    expect(dataLocation(join(parent, 'pg'), undefined)).toEqual({
      path: join(parent, 'pg'),
      relocated: false,
    });
  });

  it('is the data dir itself when every directory above it lets the postgres user through', () => {
    chmodSync(parent, 0o755);
    mkdirSync(join(parent, 'a'), { mode: 0o711 });
    expect(dataLocation(join(parent, 'a', 'b', 'pg'), stranger)).toEqual({
      path: join(parent, 'a', 'b', 'pg'),
      relocated: false,
    });
  });

  it('moves under the OS temp dir, at a place that depends only on the path, when a parent is private', () => {
    chmodSync(parent, 0o700);
    const first = dataLocation(join(parent, 'pg'), stranger);
    expect(first.relocated).toBe(true);
    expect(first.path.startsWith(join(tmpdir(), 'trunkline-postgres-'))).toBe(true);
    expect(dataLocation(join(parent, 'pg'), stranger)).toEqual(first);
    expect(dataLocation(join(parent, 'other'), stranger).path).not.toBe(first.path);
    expect(canTraverse(stranger, first.path)).toBe(true);
  });
});
