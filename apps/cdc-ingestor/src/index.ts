export { cdcIngestorService } from './cdc-service';
