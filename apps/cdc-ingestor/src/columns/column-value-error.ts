/** A column's text form (as pgoutput or `col::text` gives it) that its codec cannot read. */
export class ColumnValueError extends Error {
  override readonly name = 'ColumnValueError';

  constructor(
    readonly typeName: string,
    readonly text: string,
    reason: string,
  ) {
    super(`cannot read ${JSON.stringify(text)} as ${typeName}: ${reason}`);
  }
}
