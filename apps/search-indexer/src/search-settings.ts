import { sinkSettings } from '@trunkline/pipeline';
import { setting } from '@trunkline/runtime';

/** The search indexer's flags (each also TRUNKLINE_<FLAG>): the sink's, then its engine's. */
export const searchSettings = {
  ...sinkSettings('search-indexer'),
  dataDir: setting.text({
    describe: 'folder of the embedded full-text engine (SQLite FTS5, BM25); give this or --opensearch-url',
  }),
  opensearchUrl: setting.text({
    describe: 'OpenSearch to index into, e.g. http://127.0.0.1:9200; give this or --data-dir',
  }),
  opensearchRefreshInterval: setting.duration({
    describe:
      'index.refresh_interval of the indexes it creates, and the least time between the refreshes it asks for after writing: an applied change is searchable after the next one',
    default: 100,
  }),
  opensearchIndexPrefix: setting.text({
    describe: 'start of every OpenSearch alias and index name',
    default: 'trunkline-',
  }),
};
