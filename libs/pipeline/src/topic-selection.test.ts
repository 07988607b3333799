import { TopicSelection } from './topic-selection';

describe('TopicSelection', () => {
  it('reads a comma-separated list as names, matched exactly', () => {
    const selection = TopicSelection.parse('shop.public.orders, shop.public.customers');
    expect(selection.isPattern).toBe(false);
    expect(selection.select(['shop.public.orders', 'shop.public.orders2', 'shop.public.customers'])).toEqual([
      'shop.public.customers',
      'shop.public.orders',
    ]);
  });

  it('reads a value with regex metacharacters as a pattern matched against whole names', () => {
    const selection = TopicSelection.parse('shop\\..*');
    expect(selection.isPattern).toBe(true);
    expect(selection.matches('shop.public.orders')).toBe(true);
    expect(selection.matches('myshop.public.orders')).toBe(false);
    expect(selection.matches('shopping')).toBe(false);
  });

  it('never matches dead-letter, internal or transaction topics with a pattern, but a list may name them', () => {
    const pattern = TopicSelection.parse('.*');
    expect(
      pattern.select([
        'shop.public.orders',
        'shop.public.orders.dlq.search-indexer',
        '__consumer_offsets',
        'shop.transaction',
        '_schemas',
      ]),
    ).toEqual(['_schemas', 'shop.public.orders']);
    expect(TopicSelection.parse('shop.transaction').matches('shop.transaction')).toBe(true);
  });

  it('throws on an invalid pattern', () => {
    expect(() => TopicSelection.parse('shop\\.(')).toThrow(SyntaxError);
  });
});
