import type { Row, SinkAdapter } from '@trunkline/pipeline';

/** A full-text query against one source table's documents. */
export interface SearchRequest {
  /** `schema.table` */
  table: string;
  /** Words to find (every word must match, as a search box does); ranked by BM25. */
  query: string;
  /** Exact-match conditions on fields, all of which must hold. */
  filters?: Record<string, string | number | boolean>;
  /** Most hits returned (default 10). */
  size?: number;
}

export interface SearchHit {
  /** The row's key fields. */
  key: Row;
  /** Relevance; higher is better. Comparable within one answer only. */
  score: number;
  /** The row as indexed. */
  document: Row;
  /** Per matching text field, fragments with the matched words between `<em>` and `</em>`. */
  highlights: Record<string, string[]>;
}

export interface SearchResult {
  hits: SearchHit[];
  /** Documents that matched (at least `hits.length`). */
  total: number;
}

/** A full-text engine the search indexer keeps in sync: a sink adapter that also answers queries. */
export interface SearchEngine extends SinkAdapter {
  search(request: SearchRequest): Promise<SearchResult>;
}
