import { brokerService } from '@trunkline/broker';
import { cdcIngestorService } from '@trunkline/cdc-ingestor';
import type { ServiceDefinition } from '@trunkline/runtime';
import { schemaRegistryService } from '@trunkline/schema-registry';
import { searchIndexerService } from '@trunkline/search-indexer';

/**
 * Every service this build can run, in start order for `trunkline up` (the broker first:
 * the others coordinate through it). Each service joins this list the day it lands.
 */
export const services: readonly ServiceDefinition[] = [
  brokerService as unknown as ServiceDefinition,
  schemaRegistryService as unknown as ServiceDefinition,
  cdcIngestorService as unknown as ServiceDefinition,
  searchIndexerService as unknown as ServiceDefinition,
];

export function findService(name: string): ServiceDefinition | undefined {
  return services.find((service) => service.name === name);
}
