// `node apps/cdc-ingestor/src/main.ts` is the same as `trunkline serve cdc-ingestor`.
import { runService } from '@trunkline/runtime';
import { cdcIngestorService } from './cdc-service';

void runService(cdcIngestorService, {
  command: 'trunkline serve cdc-ingestor',
  argv: process.argv.slice(2),
  env: process.env,
});
