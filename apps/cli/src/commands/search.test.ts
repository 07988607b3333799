import { create } from '@bufbuild/protobuf';
import { SearchResponseSchema } from '@trunkline/contracts/search/v1/search';
import { setting } from '@trunkline/runtime';
import { UsageError } from '../command';
import { emphasize, parseFilters, parseFilterValue, renderHits, splitSearchArgs } from './search';

describe('search arguments', () => {
  it('reads filter values as booleans, JSON numbers or strings', () => {
    expect(parseFilterValue('true')).toBe(true);
    expect(parseFilterValue('false')).toBe(false);
    expect(parseFilterValue('42')).toBe(42);
    expect(parseFilterValue('-1.5e3')).toBe(-1500);
    expect(parseFilterValue('007')).toBe('007');
    expect(parseFilterValue('9007199254740993')).toBe('9007199254740993');
    expect(parseFilterValue('True')).toBe('True');
    expect(parseFilterValue('12abc')).toBe('12abc');
    expect(parseFilterValue('')).toBe('');
  });

  it('parses field=value pairs, the value may hold "="', () => {
    expect(parseFilters(['active=true', 'tier=2', 'note=a=b'])).toEqual({
      active: true,
      tier: 2,
      note: 'a=b',
    });
    expect(() => parseFilters(['=x'])).toThrow(UsageError);
    expect(() => parseFilters(['active'])).toThrow(/field=value/);
    expect(() => parseFilters(['a=1', 'a=2'])).toThrow(/more than once/);
  });

  it('splits query words, repeated --filter and other flags in any order', () => {
    const spec = {
      table: setting.text({ describe: 't' }),
      json: setting.toggle({ describe: 'j', default: false }),
    };
    expect(
      splitSearchArgs(
        ['--table', 'public.c', 'ada', '--filter', 'a=1', '--json', 'love', '--filter=b=x'],
        spec,
      ),
    ).toEqual({ words: ['ada', 'love'], filters: ['a=1', 'b=x'], flags: ['--table', 'public.c', '--json'] });
    expect(splitSearchArgs(['--table=public.c', 'q'], spec)).toEqual({
      words: ['q'],
      filters: [],
      flags: ['--table=public.c'],
    });
    expect(() => splitSearchArgs(['q', '--filter'], spec)).toThrow(/--filter needs a value/);
  });
});

describe('search rendering', () => {
  it('bolds <em> only on a terminal', () => {
    expect(emphasize('Ada <em>Love</em>lace', false)).toBe('Ada <em>Love</em>lace');
    expect(emphasize('<em>a</em> b <em>c</em>', true)).toBe('\x1b[1ma\x1b[22m b \x1b[1mc\x1b[22m');
  });

  it('lists hits with rank, score, key and highlights, or a preview of the row', () => {
    const response = create(SearchResponseSchema, {
      total: 1234n,
      tookMs: 1.26,
      hits: [
        {
          key: { id: 42 },
          score: 0.84249,
          document: { id: 42, name: 'Ada Lovelace' },
          highlights: {
            name: { fragments: ['Ada <em>Love</em>lace', 'the <em>love</em>\nof math'] },
            bio: { fragments: ['first <em>programmer</em>'] },
          },
        },
        { key: { id: 7 }, score: 0.5, document: { id: 7, bio: 'y'.repeat(200) } },
      ],
    });
    const lines = renderHits(response, false).split('\n');
    expect(lines[0]).toBe('1  0.842  {"id":42}');
    expect(lines[1]).toBe('   name: Ada <em>Love</em>lace … the <em>love</em> of math');
    expect(lines[2]).toBe('   bio: first <em>programmer</em>');
    expect(lines[3]).toBe('2  0.500  {"id":7}');
    expect(lines[4]).toMatch(/^ {3}\{"id":7,"bio":"y+…$/);
    expect(lines[4]).toHaveLength(3 + 120);
    expect(lines.slice(5)).toEqual(['', '2 hits (total 1,234, took 1.3 ms)', '']);
    expect(renderHits(response, true)).toContain('Ada \x1b[1mLove\x1b[22mlace');
  });

  it('says "no hits" when nothing matched', () => {
    expect(renderHits(create(SearchResponseSchema, { total: 0n }), false)).toBe('no hits\n');
  });
});
