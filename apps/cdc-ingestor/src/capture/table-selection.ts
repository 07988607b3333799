/**
 * Which tables to capture: comma-separated `schema.table` patterns where `*` matches any run
 * of characters (`public.*`, `sales.order*`); excludes win over includes. A pattern without a
 * schema matches that table in any schema. Tables added or removed by name at runtime win
 * over both.
 */
export class TableSelection {
  private readonly include: RegExp[];
  private readonly exclude: RegExp[];
  private readonly added: Set<string>;
  private readonly removed: Set<string>;

  constructor(include: string, exclude = '', added: readonly string[] = [], removed: readonly string[] = []) {
    this.include = patterns(include);
    this.exclude = patterns(exclude);
    if (this.include.length === 0) throw new Error('--tables names no table pattern');
    this.added = new Set(added);
    this.removed = new Set(removed);
  }

  matches(schema: string, table: string): boolean {
    const name = `${schema}.${table}`;
    if (this.removed.has(name)) return false;
    if (this.added.has(name)) return true;
    return this.include.some((p) => p.test(name)) && !this.exclude.some((p) => p.test(name));
  }

  /** Captures `schema.table` names whatever the patterns say. */
  add(names: readonly string[]): void {
    for (const name of names) {
      this.removed.delete(name);
      this.added.add(name);
    }
  }

  /** Stops capturing `schema.table` names whatever the patterns say. */
  remove(names: readonly string[]): void {
    for (const name of names) {
      this.added.delete(name);
      this.removed.add(name);
    }
  }

  /** The runtime additions and removals, to keep them across restarts. */
  changes(): { addedTables: string[]; removedTables: string[] } {
    return { addedTables: [...this.added], removedTables: [...this.removed] };
  }
}

function patterns(list: string): RegExp[] {
  return list
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const qualified = p.includes('.') ? p : `*.${p}`;
      const source = qualified
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*');
      return new RegExp(`^${source}$`);
    });
}
