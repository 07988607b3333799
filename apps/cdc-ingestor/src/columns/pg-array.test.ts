import { parseArrayText } from './pg-array';

describe('parseArrayText', () => {
  it('reads empty and flat arrays', () => {
    expect(parseArrayText('{}')).toEqual([]);
    expect(parseArrayText('{1,2,3}')).toEqual(['1', '2', '3']);
    expect(parseArrayText('{-1.5}')).toEqual(['-1.5']);
  });

  it('reads an unquoted NULL in any case as null, a quoted one as the string', () => {
    expect(parseArrayText('{NULL,null,"NULL",NULLS}')).toEqual([null, null, 'NULL', 'NULLS']);
  });

  it('unescapes quoted elements: quotes, backslashes, delimiters, braces, spaces', () => {
    expect(parseArrayText('{"a b","say \\"hi\\"","back\\\\slash","x,y","{z}",""}')).toEqual([
      'a b',
      'say "hi"',
      'back\\slash',
      'x,y',
      '{z}',
      '',
    ]);
  });

  it('keeps spaces inside quotes and trims them outside', () => {
    expect(parseArrayText('{ a , " b " ,c}')).toEqual(['a', ' b ', 'c']);
  });

  it('reads quoted elements that hold spaces, as timestamps do', () => {
    expect(parseArrayText('{"2024-01-01 00:00:00+00",NULL}')).toEqual(['2024-01-01 00:00:00+00', null]);
  });

  it('reads nested dimensions and drops a bounds decoration', () => {
    expect(parseArrayText('{{1,2},{3,NULL}}')).toEqual([
      ['1', '2'],
      ['3', null],
    ]);
    expect(parseArrayText('[0:1]={7,8}')).toEqual(['7', '8']);
    expect(parseArrayText('[1:1][1:2]={{7,8}}')).toEqual([['7', '8']]);
  });

  it('reads another delimiter', () => {
    expect(parseArrayText('{(1,1),(0,0);(2,2),(0,0)}', ';')).toEqual(['(1,1),(0,0)', '(2,2),(0,0)']);
  });

  it.each([
    ['', 'expected "{"'],
    ['{1,2', 'expected "," or "}"'],
    ['{"a}', 'unterminated quoted element'],
    ['{1,,2}', 'empty element'],
    ['{1}x', 'text after the array'],
    ['{a"b}', 'unexpected """'],
    ['[1:2]{1,2}', 'bounds without "="'],
  ])('refuses %p: %s', (text, reason) => {
    expect(() => parseArrayText(text)).toThrow(reason);
  });
});
