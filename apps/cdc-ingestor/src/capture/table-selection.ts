/**
 * Which tables to capture: comma-separated `schema.table` patterns where `*` matches any run
 * of characters (`public.*`, `sales.order*`); excludes win over includes. A pattern without a
 * schema matches that table in any schema.
 */
export class TableSelection {
  private readonly include: RegExp[];
  private readonly exclude: RegExp[];

  constructor(include: string, exclude = '') {
    this.include = patterns(include);
    this.exclude = patterns(exclude);
    if (this.include.length === 0) throw new Error('--tables names no table pattern');
  }

  matches(schema: string, table: string): boolean {
    const name = `${schema}.${table}`;
    return this.include.some((p) => p.test(name)) && !this.exclude.some((p) => p.test(name));
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
