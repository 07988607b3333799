import { type JsonObject, type JsonValue, toJson } from '@bufbuild/protobuf';
import { type Value, ValueSchema } from '@bufbuild/protobuf/wkt';
import type { SearchService } from '@trunkline/contracts/search/v1/search';
import { Code, type ServiceImpl, TrunklineError } from '@trunkline/runtime';
import type { SearchEngine } from '../engines/search-engine';
import { toJsonValue } from '../engines/sqlite/json-values';

const MAX_SIZE = 10_000;

function filterValue(field: string, value: JsonValue): string | number | boolean {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  throw new TrunklineError(Code.InvalidArgument, `filter ${field}: expected a string, number or boolean`);
}

/** `trunkline.search.v1.SearchService` over the engine the indexer keeps in sync. */
export function searchApi(engine: SearchEngine): ServiceImpl<typeof SearchService> {
  return {
    async search(request) {
      if (request.table === '')
        throw new TrunklineError(Code.InvalidArgument, 'table is required (schema.table)');
      if (request.size < 0 || request.size > MAX_SIZE)
        throw new TrunklineError(Code.InvalidArgument, `size ${request.size} is out of range 0-${MAX_SIZE}`);
      const filters = Object.fromEntries(
        Object.entries(request.filters).map(([field, value]) => [
          field,
          filterValue(field, toJson(ValueSchema, value as Value)),
        ]),
      );
      const started = performance.now();
      const result = await engine.search({
        table: request.table,
        query: request.query,
        filters,
        ...(request.size > 0 ? { size: request.size } : {}),
      });
      return {
        total: BigInt(result.total),
        tookMs: performance.now() - started,
        hits: result.hits.map((hit) => ({
          key: toJsonValue(hit.key) as JsonObject,
          score: hit.score,
          document: toJsonValue(hit.document) as JsonObject,
          highlights: Object.fromEntries(
            Object.entries(hit.highlights).map(([field, fragments]) => [field, { fragments }]),
          ),
        })),
      };
    },
  };
}
