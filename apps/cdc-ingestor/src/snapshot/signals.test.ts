import { parseSignal, SignalError, tablesNamed } from './signals';

describe('parseSignal', () => {
  it("reads Debezium's execute-snapshot signal", () => {
    expect(
      parseSignal('s1', 'execute-snapshot', '{"data-collections": ["public.orders"], "type": "incremental"}'),
    ).toEqual({ kind: 'execute-snapshot', id: 's1', tables: ['public.orders'] });
    // The type defaults to incremental, as in Debezium.
    expect(parseSignal('s2', 'execute-snapshot', '{"data-collections": ["a.b", "c.d"]}')).toEqual({
      kind: 'execute-snapshot',
      id: 's2',
      tables: ['a.b', 'c.d'],
    });
  });

  it('reads stop, pause, resume and log signals', () => {
    expect(parseSignal('s', 'stop-snapshot', '{"type": "INCREMENTAL"}')).toEqual({
      kind: 'stop-snapshot',
      id: 's',
      tables: [],
    });
    expect(parseSignal('s', 'pause-snapshot', null)).toEqual({ kind: 'pause-snapshot', id: 's' });
    expect(parseSignal('s', 'resume-snapshot', '')).toEqual({ kind: 'resume-snapshot', id: 's' });
    expect(parseSignal('s', 'log', '{"message": "hello"}')).toEqual({
      kind: 'log',
      id: 's',
      message: 'hello',
    });
  });

  it.each([
    [null, 'log', null, 'a signal needs an id'],
    ['s', 'execute-snapshot', '{"data-collections": []}', 'names no data-collections'],
    ['s', 'execute-snapshot', '{"data-collections": "public.t"}', 'must be an array'],
    ['s', 'execute-snapshot', '{"data-collections": ["t"], "type": "blocking"}', 'only incremental'],
    ['s', 'execute-snapshot', '{oops', 'data is not JSON'],
    ['s', 'execute-snapshot', '[1]', 'must be a JSON object'],
    ['s', 'reboot', null, 'unknown type "reboot"'],
  ])('refuses id %p type %p data %p: %s', (id, type, data, message) => {
    expect(() => parseSignal(id, type, data)).toThrow(SignalError);
    expect(() => parseSignal(id, type, data)).toThrow(message);
  });
});

describe('tablesNamed', () => {
  const captured = ['public.orders', 'public.order_lines', 'sales.orders'];

  it('matches each data collection as a regular expression over the whole name', () => {
    expect(tablesNamed(['public.orders'], captured)).toEqual(['public.orders']);
    expect(tablesNamed(['public\\.order.*'], captured)).toEqual(['public.orders', 'public.order_lines']);
    expect(tablesNamed(['.*\\.orders'], captured)).toEqual(['public.orders', 'sales.orders']);
  });

  it('refuses an expression that does not compile', () => {
    expect(() => tablesNamed(['public.(orders'], captured)).toThrow(SignalError);
  });
});
