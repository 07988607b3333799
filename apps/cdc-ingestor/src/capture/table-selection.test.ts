import { TableSelection } from './table-selection';

describe('TableSelection', () => {
  it('matches schema.table patterns with * and lets excludes win', () => {
    const selection = new TableSelection('public.*, sales.order*', 'public.audit_*');
    expect(selection.matches('public', 'customers')).toBe(true);
    expect(selection.matches('sales', 'orders')).toBe(true);
    expect(selection.matches('sales', 'refunds')).toBe(false);
    expect(selection.matches('public', 'audit_log')).toBe(false);
  });

  it('reads a pattern without a schema as that table in any schema, and dots literally', () => {
    const selection = new TableSelection('orders');
    expect(selection.matches('public', 'orders')).toBe(true);
    expect(selection.matches('sales', 'orders')).toBe(true);
    expect(new TableSelection('a.b').matches('axb', 'b')).toBe(false);
  });

  it('refuses an empty list', () => {
    expect(() => new TableSelection(' , ')).toThrow('--tables');
  });
});
