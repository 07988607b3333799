// `node apps/broker/src/main.ts` is the same as `trunkline serve broker`.
import { runService } from '@trunkline/runtime';
import { brokerService } from './broker-service';

void runService(brokerService, {
  command: 'trunkline serve broker',
  argv: process.argv.slice(2),
  env: process.env,
});
