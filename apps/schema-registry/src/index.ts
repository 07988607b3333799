export { schemaRegistryService } from './schema-registry-service';
