import { CdcAdminService } from '@trunkline/contracts/cdc/v1/cdc_admin';
import { defineService } from '@trunkline/runtime';
import { cdcAdmin } from './admin/cdc-admin';
import { cdcSettings } from './cdc-settings';
import { CdcIngestor } from './ingestor';
import { ReconnectingClient } from './source-client';

export const cdcIngestorService = defineService({
  name: 'cdc-ingestor',
  summary: 'Postgres logical replication (pgoutput) into change topics: snapshot, then streaming.',
  ports: { grpc: 50053, http: 9643 },
  settings: cdcSettings,
  async start({ config, logger, grpc, instanceId, version, startedAt, listeners }) {
    const ingestor = new CdcIngestor(config, logger);
    await ingestor.start();
    const sql = new ReconnectingClient({ connectionString: config.sourceUrl }, (error) =>
      logger.warn(
        { reason: error.message },
        'the admin connection to the source closed; it reopens on next use',
      ),
    );
    await sql.connect();
    grpc.addService(
      CdcAdminService,
      cdcAdmin({
        ingestor,
        sql,
        slot: config.slotName,
        publication: config.publicationName,
        instanceId,
        version,
        startedAt,
        listeners,
      }),
    );
    return {
      async stop() {
        await ingestor.stop();
        await sql.end().catch(() => undefined);
      },
    };
  },
});
