import { runCommand, trunklineCommand } from '@trunkline/testing';

const serve = (...flags: string[]) =>
  runCommand(trunklineCommand('serve', 'search-indexer', '--grpc-port', '0', '--http-port', '0', ...flags));

describe('trunkline serve search-indexer refuses a broken config, naming the setting', () => {
  it.each([
    [
      ['--data-dir', '/tmp/x', '--topics', 'shop\\.('],
      2,
      /--topics .* is invalid: expected topic names separated by commas, or a valid regular expression/,
    ],
    [['--data-dir', '/tmp/x', '--max-batch-records', '0'], 2, /--max-batch-records "0" is invalid/],
    [['--data-dir', '/tmp/x', '--session-timeout', 'soon'], 2, /--session-timeout "soon" is invalid/],
    [[], 1, /no engine: give --data-dir \(embedded\) or --opensearch-url/],
    [
      ['--data-dir', '/tmp/x', '--opensearch-url', 'http://127.0.0.1:9200'],
      1,
      /--data-dir and --opensearch-url both given/,
    ],
    [['--opensearch-url', 'not a url'], 1, /--opensearch-url not a url is not a URL/],
  ])('%j exits %d', async (flags, code, message) => {
    const result = await serve(...flags);
    expect(result.code).toBe(code);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });
});
