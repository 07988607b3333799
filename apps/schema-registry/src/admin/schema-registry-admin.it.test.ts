import {
  CompatibilityLevel,
  Mode,
  SchemaRegistryAdminService,
  SchemaType,
} from '@trunkline/contracts/schemaregistry/v1/schema_registry_admin';
import { Code, checkHealth, createGrpcClient, type GrpcClient } from '@trunkline/runtime';
import {
  listServicesByReflection,
  TrunklineTestBroker,
  TrunklineTestSchemaRegistry,
} from '@trunkline/testing';

const avro = (fields: unknown[], name = 'User') => JSON.stringify({ type: 'record', name, fields });
const v1 = avro([{ name: 'id', type: 'long' }]);
const v2 = avro([
  { name: 'id', type: 'long' },
  { name: 'email', type: 'string', default: '' },
]);
const breaking = avro([
  { name: 'id', type: 'long' },
  { name: 'age', type: 'int' },
]);

const broker = new TrunklineTestBroker();
let leader: TrunklineTestSchemaRegistry;
let follower: TrunklineTestSchemaRegistry;
let admin: GrpcClient<typeof SchemaRegistryAdminService>;
let followerAdmin: GrpcClient<typeof SchemaRegistryAdminService>;

beforeAll(async () => {
  await broker.start();
  leader = new TrunklineTestSchemaRegistry(broker.bootstrap);
  await leader.start();
  // Never elected: every write it takes is forwarded to the leader.
  follower = new TrunklineTestSchemaRegistry(broker.bootstrap, ['--leader-eligibility=false']);
  await follower.start();
  admin = createGrpcClient(SchemaRegistryAdminService, leader.grpcAddress);
  followerAdmin = createGrpcClient(SchemaRegistryAdminService, follower.grpcAddress);
}, 90_000);

afterAll(async () => {
  admin?.close();
  followerAdmin?.close();
  await follower?.stop();
  await leader?.stop();
  await broker.destroy();
});

describe('the schema registry admin API', () => {
  it('is served with health and reflection', async () => {
    const name = 'trunkline.schemaregistry.v1.SchemaRegistryAdminService';
    expect(await checkHealth(leader.grpcAddress, name)).toBe('SERVING');
    expect(await listServicesByReflection(leader.grpcAddress)).toContain(name);
  });

  it('registers schemas, lists and reads them back', async () => {
    const first = await admin.registerSchema({ subject: 'users-value', schema: v1 });
    expect(first.version).toBe(1);
    expect(first.id).toBeGreaterThan(0);
    // the same schema again is the same version; under another subject, the same id
    expect(await admin.registerSchema({ subject: 'users-value', schema: v1 })).toMatchObject(first);
    expect(await admin.registerSchema({ subject: 'users-copy', schema: v1 })).toMatchObject({
      id: first.id,
      version: 1,
    });
    const second = await admin.registerSchema({
      subject: 'users-value',
      schema: v2,
      schemaType: SchemaType.AVRO,
    });
    expect(second).toMatchObject({ version: 2, id: first.id + 1 });

    expect((await admin.listSubjects({})).subjects).toEqual(['users-copy', 'users-value']);
    expect((await admin.listSubjects({ prefix: 'users-v' })).subjects).toEqual(['users-value']);
    expect((await admin.listVersions({ subject: 'users-value' })).versions).toEqual([1, 2]);

    const latest = await admin.getSchema({ subject: 'users-value' });
    expect(latest.schema).toMatchObject({
      subject: 'users-value',
      version: 2,
      id: second.id,
      schemaType: SchemaType.AVRO,
      schema: v2,
      deleted: false,
    });
    expect((await admin.getSchema({ subject: 'users-value', version: 1 })).schema?.schema).toBe(v1);

    const byId = await admin.getSchemaById({ id: first.id });
    expect(byId).toMatchObject({ id: first.id, schemaType: SchemaType.AVRO, schema: v1 });
    expect(byId.subjectVersions.map(({ subject, version }) => ({ subject, version }))).toEqual([
      { subject: 'users-copy', version: 1 },
      { subject: 'users-value', version: 1 },
    ]);
  });

  it('registers schemas with references', async () => {
    const address = avro([{ name: 'street', type: 'string' }], 'com.example.Address');
    const registered = await admin.registerSchema({ subject: 'address', schema: address });
    const person = JSON.stringify({
      type: 'record',
      name: 'com.example.Person',
      fields: [{ name: 'home', type: 'com.example.Address' }],
    });
    const references = [{ name: 'com.example.Address', subject: 'address', version: registered.version }];
    const { id } = await admin.registerSchema({ subject: 'person-value', schema: person, references });
    const read = await admin.getSchemaById({ id });
    expect(read.references.map(({ name, subject, version }) => ({ name, subject, version }))).toEqual(
      references,
    );
    expect((await admin.getSchema({ subject: 'person-value' })).schema?.references).toHaveLength(1);
  });

  it('answers with the registry error as a gRPC status', async () => {
    await expect(admin.listVersions({ subject: 'nobody' })).rejects.toMatchObject({
      code: Code.NotFound,
      message: "Subject 'nobody' not found.",
    });
    await expect(admin.getSchema({ subject: 'users-value', version: 9 })).rejects.toMatchObject({
      code: Code.NotFound,
    });
    await expect(admin.getSchemaById({ id: 999_999 })).rejects.toMatchObject({ code: Code.NotFound });
    await expect(
      admin.registerSchema({ subject: 'users-value', schema: '{"type": "record"' }),
    ).rejects.toMatchObject({ code: Code.InvalidArgument });
    await expect(admin.registerSchema({ subject: 'users-value', schema: breaking })).rejects.toMatchObject({
      code: Code.FailedPrecondition,
      message: expect.stringContaining('incompatible'),
    });
  });

  it('checks compatibility without registering', async () => {
    expect(await admin.checkCompatibility({ subject: 'users-value', schema: v2 })).toMatchObject({
      compatible: true,
      messages: [],
    });
    const verdict = await admin.checkCompatibility({
      subject: 'users-value',
      schema: breaking,
      verbose: true,
    });
    expect(verdict.compatible).toBe(false);
    expect(verdict.messages.length).toBeGreaterThan(0);
    const quiet = await admin.checkCompatibility({ subject: 'users-value', schema: breaking });
    expect(quiet).toMatchObject({ compatible: false, messages: [] });
    expect(
      (await admin.checkCompatibility({ subject: 'users-value', version: 1, schema: v2 })).compatible,
    ).toBe(true);
    await expect(
      admin.checkCompatibility({ subject: 'users-value', schema: 'not json' }),
    ).rejects.toMatchObject({ code: Code.InvalidArgument });
    expect((await admin.listVersions({ subject: 'users-value' })).versions).toEqual([1, 2]);
  });

  it('reads and sets compatibility levels, global and per subject', async () => {
    expect((await admin.getCompatibility({})).level).toBe(CompatibilityLevel.BACKWARD);
    await expect(admin.getCompatibility({ subject: 'users-value' })).rejects.toMatchObject({
      code: Code.NotFound,
    });
    expect((await admin.getCompatibility({ subject: 'users-value', defaultToGlobal: true })).level).toBe(
      CompatibilityLevel.BACKWARD,
    );

    expect(
      await admin.setCompatibility({ subject: 'users-value', level: CompatibilityLevel.NONE }),
    ).toMatchObject({ level: CompatibilityLevel.NONE });
    expect((await admin.getCompatibility({ subject: 'users-value' })).level).toBe(CompatibilityLevel.NONE);
    // NONE lets the breaking change in
    expect((await admin.registerSchema({ subject: 'users-value', schema: breaking })).version).toBe(3);

    expect((await admin.setCompatibility({ level: CompatibilityLevel.FULL_TRANSITIVE })).level).toBe(
      CompatibilityLevel.FULL_TRANSITIVE,
    );
    expect((await admin.getCompatibility({})).level).toBe(CompatibilityLevel.FULL_TRANSITIVE);
    await admin.setCompatibility({ level: CompatibilityLevel.BACKWARD });
    await expect(admin.setCompatibility({ subject: 'users-value' })).rejects.toMatchObject({
      code: Code.InvalidArgument,
    });
  });

  it('reads and sets modes, global and per subject', async () => {
    expect((await admin.getMode({})).mode).toBe(Mode.READWRITE);
    await expect(admin.getMode({ subject: 'users-copy' })).rejects.toMatchObject({ code: Code.NotFound });
    expect((await admin.getMode({ subject: 'users-copy', defaultToGlobal: true })).mode).toBe(Mode.READWRITE);

    expect((await admin.setMode({ subject: 'users-copy', mode: Mode.READONLY })).mode).toBe(Mode.READONLY);
    expect((await admin.getMode({ subject: 'users-copy' })).mode).toBe(Mode.READONLY);
    await expect(admin.registerSchema({ subject: 'users-copy', schema: v2 })).rejects.toMatchObject({
      code: Code.InvalidArgument,
      message: expect.stringContaining('read-only'),
    });
    await admin.setMode({ subject: 'users-copy', mode: Mode.READWRITE });

    // IMPORT needs force once schemas exist
    await expect(admin.setMode({ mode: Mode.IMPORT })).rejects.toMatchObject({
      code: Code.InvalidArgument,
    });
    expect((await admin.setMode({ mode: Mode.IMPORT, force: true })).mode).toBe(Mode.IMPORT);
    expect((await admin.setMode({ mode: Mode.READWRITE })).mode).toBe(Mode.READWRITE);
    await expect(admin.setMode({})).rejects.toMatchObject({ code: Code.InvalidArgument });
  });

  it('forwards writes from a follower to the leader, and reports who leads', async () => {
    const registered = await followerAdmin.registerSchema({ subject: 'forwarded-value', schema: v1 });
    expect(registered.version).toBe(1);
    // read-your-writes: the follower has applied the leader's record before answering
    expect((await followerAdmin.listVersions({ subject: 'forwarded-value' })).versions).toEqual([1]);
    expect((await admin.getSchema({ subject: 'forwarded-value' })).schema?.id).toBe(registered.id);

    const leading = await admin.getRegistryInfo({});
    expect(leading.info?.service).toBe('schema-registry');
    expect(leading.info?.listeners.map((l) => l.protocol).sort()).toEqual(['grpc', 'http', 'rest']);
    expect(leading).toMatchObject({
      isLeader: true,
      leader: { url: leader.url },
      schemasTopic: '_schemas',
    });
    expect(leading.leader?.instanceId).toBe(leading.info?.instanceId);
    expect(leading.maxId).toBeGreaterThanOrEqual(registered.id);
    expect(leading.subjects).toBe((await admin.listSubjects({})).subjects.length);
    expect(leading.schemasOffset).toBeGreaterThan(0n);

    const following = await followerAdmin.getRegistryInfo({});
    expect(following.isLeader).toBe(false);
    expect(following.leader?.instanceId).toBe(leading.info?.instanceId);
    expect(following.maxId).toBe(leading.maxId);
  });
});
