export { aliasName, generationIndexName, generationOf, nextGenerationIndexName } from './index-names';
export { OpenSearchEngine, type OpenSearchEngineOptions } from './opensearch-engine';
