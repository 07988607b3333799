// Confluent's Python client (confluent-kafka, its schema_registry package) against Trunkline's
// registry: confluent_python_client.py runs every step and prints a JSON summary, asserted here.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pythonClientsPython } from '@trunkline/engines';
import {
  describeUnavailable,
  runCommand,
  TrunklineTestBroker,
  TrunklineTestSchemaRegistry,
} from '@trunkline/testing';

const TITLE = 'confluent-kafka (Python) schema registry client';
const SCRIPT = join(__dirname, 'confluent_python_client.py');

type Step = { ok: true; result: unknown } | { ok: false; error: unknown };

if (!existsSync(pythonClientsPython())) {
  describeUnavailable(
    TITLE,
    `the Python clients are not installed (npm run -s engine -- install python-clients): no ${pythonClientsPython()}`,
  );
} else {
  describe(TITLE, () => {
    const broker = new TrunklineTestBroker();
    let registry: TrunklineTestSchemaRegistry;
    let summary: Record<string, Step>;

    /** A step's result; a failed step fails the test with what the client reported. */
    const result = (name: string): unknown => {
      const step = summary[name];
      if (step === undefined) throw new Error(`the script reported no step "${name}"`);
      if (!step.ok) throw new Error(`${name} failed: ${JSON.stringify(step.error, null, 2)}`);
      return step.result;
    };

    beforeAll(async () => {
      await broker.start();
      registry = new TrunklineTestSchemaRegistry(broker.bootstrap);
      await registry.start();
      const run = await runCommand([pythonClientsPython(), SCRIPT, registry.url, randomUUID().slice(0, 8)], {
        timeoutMs: 60_000,
      });
      if (run.code !== 0) throw new Error(`the script exited ${run.code}:\n${run.stderr}`);
      summary = JSON.parse(run.stdout) as Record<string, Step>;
    }, 120_000);
    afterAll(async () => {
      await registry?.stop();
      await broker.destroy();
    }, 30_000);

    it('Avro: AvroSerializer registers the schema and AvroDeserializer reads the record back', () => {
      expect(result('avro_round_trip')).toEqual({
        magic: 0,
        id: expect.any(Number),
        decoded: { id: 7, name: 'Ada' },
      });
    });

    it('sets and gets a subject compatibility level', () => {
      expect(result('avro_set_compatibility')).toEqual({ compatibility: 'BACKWARD' });
      expect(result('avro_get_compatibility')).toBe('BACKWARD');
    });

    it('Avro: tests and registers v2, and a v2 reader decodes a v1 record with the default', () => {
      const { id: v1Id } = result('avro_round_trip') as { id: number };
      const evolved = result('avro_evolve') as { v2_id: number };
      expect(evolved).toEqual({
        compatible: true,
        v2_id: expect.any(Number),
        v1_record_as_v2: { id: 7, name: 'Ada', email: 'none' },
      });
      expect(evolved.v2_id).not.toBe(v1Id);
    });

    it('Avro: an incompatible schema tests false and its registration is refused with 409/40901', () => {
      expect(result('avro_incompatible')).toEqual({
        compatible: false,
        rejected: expect.objectContaining({
          type: 'SchemaRegistryError',
          http_status: 409,
          error_code: 40901,
        }),
      });
    });

    it('looks a schema up, lists versions and gets the latest', () => {
      const { id } = result('avro_round_trip') as { id: number };
      expect(result('avro_lookup_schema')).toEqual({ subject: expect.any(String), version: 1, id });
      expect(result('avro_get_versions')).toEqual([1, 2]);
      expect(result('avro_get_latest_version')).toEqual({
        version: 2,
        id: (result('avro_evolve') as { v2_id: number }).v2_id,
        schema_type: 'AVRO',
        fields: ['id', 'name', 'email'],
      });
    });

    it('JSON Schema: JSONSerializer registers and validates, JSONDeserializer reads back', () => {
      expect(result('json_round_trip')).toEqual({
        id: expect.any(Number),
        decoded: { kind: 'click', count: 2 },
        invalid_rejected_with: 'SerializationError',
        schema_type: 'JSON',
      });
    });

    it('Protobuf: registers, looks up and gets a .proto schema', () => {
      const registered = result('protobuf_register_lookup_get') as { id: number };
      expect(registered).toEqual({
        id: expect.any(Number),
        lookup_version: 1,
        lookup_id: registered.id,
        schema_type: 'PROTOBUF',
        same_text: true,
      });
    });

    // The Protobuf deserializer asks for the writer's schema with ?format=serialized and
    // expects a base64 FileDescriptorProto.
    it('Protobuf: ProtobufDeserializer reads a record written with a .proto text schema', () => {
      expect(result('protobuf_deserialize_text_schema')).toEqual({ id: 's-1', weight: 12 });
    });

    // The Protobuf serializer registers each file as a base64 FileDescriptorProto, imports
    // first, as references.
    it('Protobuf: ProtobufSerializer registers a file and its import as a reference, and reads back', () => {
      expect(result('protobuf_round_trip_with_reference')).toEqual({
        id: expect.any(Number),
        decoded: { id: 'o-1', quantity: 3, shipTo: { street: '1 Main St', city: 'Oslo' } },
        references: [
          { name: 'trunkline/test/address.proto', subject: 'trunkline/test/address.proto', version: 1 },
        ],
      });
    });

    it('deletes a subject softly, then permanently, after which it is not found', () => {
      expect(result('delete_subject')).toEqual({ deleted_versions: [1, 2], subject_listed: false });
      expect(result('delete_subject_permanent')).toEqual([1, 2]);
      expect(result('get_versions_after_delete')).toMatchObject({ http_status: 404, error_code: 40401 });
    });
  });
}
