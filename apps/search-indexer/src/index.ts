export * from './engines/opensearch';
export type { SearchEngine, SearchHit, SearchRequest, SearchResult } from './engines/search-engine';
export * from './engines/sqlite';
export { searchIndexerService } from './search-service';
