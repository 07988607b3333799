// `node apps/search-indexer/src/main.ts` is the same as `trunkline serve search-indexer`.
import { runService } from '@trunkline/runtime';
import { searchIndexerService } from './search-service';

void runService(searchIndexerService, {
  command: 'trunkline serve search-indexer',
  argv: process.argv.slice(2),
  env: process.env,
});
