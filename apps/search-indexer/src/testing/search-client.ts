import type { SearchResponse } from '@trunkline/contracts/search/v1/search';
import { SearchService } from '@trunkline/contracts/search/v1/search';
import { SinkAdminService } from '@trunkline/contracts/sink/v1/sink_admin';
import { createGrpcClient, type GrpcClient } from '@trunkline/runtime';

/** A test's view of a running search indexer: its Search API and its sink admin API. */
export class SearchIndexerClient {
  readonly search: GrpcClient<typeof SearchService>;
  readonly admin: GrpcClient<typeof SinkAdminService>;

  constructor(address: string) {
    this.search = createGrpcClient(SearchService, address);
    this.admin = createGrpcClient(SinkAdminService, address);
  }

  query(table: string, query: string, size = 10): Promise<SearchResponse> {
    return this.search.search({ table, query, size });
  }

  /** Polls a search until `accept` holds; fails after `timeoutMs` with the last answer. */
  async waitForSearch(
    table: string,
    query: string,
    accept: (response: SearchResponse) => boolean,
    timeoutMs = 20_000,
  ): Promise<SearchResponse> {
    const deadline = Date.now() + timeoutMs;
    let last: SearchResponse | string = 'no answer';
    for (;;) {
      try {
        const response = await this.query(table, query, 100);
        if (accept(response)) return response;
        last = response;
      } catch (error) {
        last = String(error);
      }
      if (Date.now() > deadline) {
        throw new Error(
          `search "${query}" in ${table} did not match within ${timeoutMs} ms: ${JSON.stringify(last, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  close(): void {
    this.search.close();
    this.admin.close();
  }
}

/** The `id` key fields of a response's hits, as numbers. */
export function hitIds(response: SearchResponse): number[] {
  return response.hits.map((hit) => Number(hit.key?.id));
}
