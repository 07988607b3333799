/**
 * Turns what a user typed into a search box into an FTS5 query in which every word is required
 * and nothing is syntax. The text is cut into words the way FTS5's unicode61 tokenizer cuts it
 * (runs of letters, digits, combining marks and private-use characters); everything else
 * separates words and is dropped, so operators (`AND`, `NEAR`, `*`, `^`, `:`, `-`, parentheses,
 * quotes) never reach the parser as such. Each word is then written as an FTS5 string (between
 * double quotes, a quote inside doubled) and the strings are joined by spaces, which FTS5 reads
 * as AND. `AND`/`OR`/`NOT` typed by the user are thus plain words to look for.
 *
 * The query is always bound as a parameter, never spliced into SQL.
 */
export function ftsQuery(text: string): string | undefined {
  const words = queryWords(text);
  if (words.length === 0) return undefined;
  return words.map((word) => `"${word.replaceAll('"', '""')}"`).join(' ');
}

const WORD = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;

/** The words of a query, in order, duplicates kept (FTS5 treats a repeated word as one). */
export function queryWords(text: string): string[] {
  return text.normalize('NFC').match(WORD) ?? [];
}
