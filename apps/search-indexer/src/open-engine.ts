import { join, resolve } from 'node:path';
import { ConfigError } from '@trunkline/runtime';
import { OpenSearchEngine } from './engines/opensearch';
import type { SearchEngine } from './engines/search-engine';
import { SqliteSearchEngine } from './engines/sqlite';

/** The embedded engine's database file inside --data-dir. */
export const SEARCH_DATABASE_FILE = 'search.db';

/** The engine the flags choose: the embedded one in --data-dir, or OpenSearch at --opensearch-url. */
export async function openSearchEngine(config: {
  dataDir: string | undefined;
  opensearchUrl: string | undefined;
  opensearchIndexPrefix: string;
  opensearchRefreshInterval: number;
}): Promise<SearchEngine> {
  if (config.dataDir !== undefined && config.opensearchUrl !== undefined) {
    throw new ConfigError(
      '--opensearch-url',
      '--data-dir and --opensearch-url both given: choose one engine',
    );
  }
  if (config.opensearchUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(config.opensearchUrl);
    } catch {
      throw new ConfigError('--opensearch-url', `--opensearch-url ${config.opensearchUrl} is not a URL`);
    }
    return new OpenSearchEngine({
      node: url.toString().replace(/\/$/, ''),
      indexPrefix: config.opensearchIndexPrefix,
      refreshInterval: `${config.opensearchRefreshInterval}ms`,
    });
  }
  if (config.dataDir === undefined) {
    throw new ConfigError('--data-dir', 'no engine: give --data-dir (embedded) or --opensearch-url');
  }
  return SqliteSearchEngine.open({ path: join(resolve(config.dataDir), SEARCH_DATABASE_FILE) });
}
