import { SearchService } from '@trunkline/contracts/search/v1/search';
import { startSinkPipeline } from '@trunkline/pipeline';
import { defineService } from '@trunkline/runtime';
import { searchApi } from './api/search-api';
import { openSearchEngine } from './open-engine';
import { searchSettings } from './search-settings';

export const searchIndexerService = defineService({
  name: 'search-indexer',
  summary:
    'A full-text index (embedded SQLite FTS5, or OpenSearch) kept in sync with change topics, with search.',
  ports: { grpc: 50054, http: 9644 },
  settings: searchSettings,
  async start(context) {
    const engine = await openSearchEngine(context.config);
    context.logger.info({ engine: engine.describe() }, 'search engine open');
    const sink = await startSinkPipeline('search-indexer', context, engine).catch(async (error: unknown) => {
      await engine.close();
      throw error;
    });
    context.grpc.addService(SearchService, searchApi(engine));
    return sink;
  },
});
