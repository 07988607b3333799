export { ftsQuery, queryWords } from './fts-query';
export { rowToJson, toJsonValue } from './json-values';
export { SqliteSearchEngine, type SqliteSearchEngineOptions } from './sqlite-search-engine';
