import { ColumnValueError } from './column-value-error';

/** One dimension's elements of a Postgres array text: element texts, NULLs or nested dimensions. */
export type ArrayText = Array<string | null | ArrayText>;

/**
 * Parses Postgres's array text form (`array_out`): `{1,2,NULL}`, `{"a b","say \"hi\"",NULL,"NULL"}`,
 * `{{1,2},{3,4}}`, with an optional bounds decoration (`[0:1]={7,8}`, bounds dropped). Quoted
 * elements are unescaped and never NULL; an unquoted NULL (any case) is null; unquoted elements
 * lose surrounding whitespace. `delimiter` is the type's typdelim (',' for all but box).
 */
export function parseArrayText(text: string, delimiter = ','): ArrayText {
  let position = 0;
  function fail(reason: string): never {
    throw new ColumnValueError('array', text, `${reason} at offset ${position}`);
  }
  if (text.startsWith('[')) {
    const equals = text.indexOf('=');
    if (equals < 0) fail('bounds without "="');
    position = equals + 1;
  }
  const skipSpaces = () => {
    while (position < text.length && /\s/.test(text[position]!)) position += 1;
  };

  const readDimension = (): ArrayText => {
    if (text[position] !== '{') fail('expected "{"');
    position += 1;
    const elements: ArrayText = [];
    skipSpaces();
    if (text[position] === '}') {
      position += 1;
      return elements;
    }
    for (;;) {
      skipSpaces();
      elements.push(readElement());
      skipSpaces();
      const next = text[position];
      position += 1;
      if (next === '}') return elements;
      if (next !== delimiter) fail(`expected "${delimiter}" or "}"`);
    }
  };

  const readElement = (): string | null | ArrayText => {
    const first = text[position];
    if (first === '{') return readDimension();
    if (first === '"') {
      position += 1;
      let value = '';
      for (;;) {
        const char = text[position];
        if (char === undefined) fail('unterminated quoted element');
        position += 1;
        if (char === '"') return value;
        if (char === '\\') {
          const escaped = text[position];
          if (escaped === undefined) fail('backslash at the end');
          value += escaped;
          position += 1;
        } else {
          value += char;
        }
      }
    }
    let value = '';
    while (position < text.length) {
      const char = text[position]!;
      if (char === delimiter || char === '}') break;
      if (char === '"' || char === '{') fail(`unexpected "${char}"`);
      if (char === '\\') {
        position += 1;
        const escaped = text[position];
        if (escaped === undefined) fail('backslash at the end');
        value += escaped;
      } else {
        value += char;
      }
      position += 1;
    }
    const trimmed = value.trim();
    if (trimmed === '') fail('empty element');
    return trimmed.toUpperCase() === 'NULL' ? null : trimmed;
  };

  const result = readDimension();
  skipSpaces();
  if (position !== text.length) fail('text after the array');
  return result;
}
