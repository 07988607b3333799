// `node apps/schema-registry/src/main.ts` is the same as `trunkline serve schema-registry`.
import { runService } from '@trunkline/runtime';
import { schemaRegistryService } from './schema-registry-service';

void runService(schemaRegistryService, {
  command: 'trunkline serve schema-registry',
  argv: process.argv.slice(2),
  env: process.env,
});
