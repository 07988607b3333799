import { SchemaRegistryAdminService } from '@trunkline/contracts/schemaregistry/v1/schema_registry_admin';
import { defineService } from '@trunkline/runtime';
import { schemaRegistryAdmin } from './admin/schema-registry-admin';
import { LeaderElector } from './leader/leader-elector';
import { Leadership } from './leader/leadership';
import { ParsedSchemas } from './registry/parsed-schemas';
import { SchemaRegistry } from './registry/schema-registry';
import { RestApi } from './rest/rest-api';
import { RestServer } from './rest/rest-server';
import { schemaRegistrySettings } from './schema-registry-settings';
import { RegistryState } from './store/registry-state';
import { SchemasTopic } from './store/schemas-topic';

export const schemaRegistryService = defineService({
  name: 'schema-registry',
  summary: 'The Confluent Schema Registry API; its state is the _schemas topic, so instances are stateless.',
  ports: { grpc: 50052, http: 9642 },
  settings: schemaRegistrySettings,
  async start({ config, logger, metrics, addListener, listeners, grpc, instanceId, version, startedAt }) {
    const state = new RegistryState();
    const topic = new SchemasTopic(
      {
        brokers: config.kafkaBrokers,
        topic: config.topic,
        readerGroupId: `${config.groupId}-reader-${instanceId}`,
        clientId: `schema-registry-${instanceId}`,
        logger,
        timeoutMs: config.writeTimeout,
      },
      state,
    );
    await topic.start();
    const registry = new SchemaRegistry(state, new ParsedSchemas(state), (records) => topic.append(records), {
      defaultCompatibility: config.defaultCompatibility,
    });
    const leadership = new Leadership(() => topic.catchUp());
    const rest = new RestServer({
      api: new RestApi(registry),
      leadership,
      topic,
      logger,
      metrics,
      maxBodyBytes: config.maxRequestBytes,
      writeTimeoutMs: config.writeTimeout,
    });
    const port = await rest.listen(config.host, config.port);
    const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    addListener({ protocol: 'rest', address: `${host}:${port}` });
    grpc.addService(
      SchemaRegistryAdminService,
      schemaRegistryAdmin({
        registry,
        rest,
        leadership,
        schemasTopic: topic,
        instanceId,
        version,
        startedAt,
        listeners,
      }),
    );
    const elector = new LeaderElector({
      brokers: config.kafkaBrokers,
      groupId: config.groupId,
      topic: config.topic,
      identity: {
        instanceId,
        url: config.advertisedUrl ?? `http://${host}:${port}`,
        eligible: config.leaderEligibility,
      },
      sessionTimeoutMs: config.leaderSessionTimeout,
      logger,
      onChange: (leader, isSelf) => leadership.changed(leader, isSelf),
    });
    await elector.start();
    logger.info(
      {
        topic: config.topic,
        subjects: registry.subjects().length,
        maxId: registry.maxId,
        offset: topic.appliedOffset,
      },
      'schemas loaded',
    );
    return {
      async stop() {
        await rest.close();
        await elector.stop();
        await topic.stop();
      },
    };
  },
});
