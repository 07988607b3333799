import { CdcAdminService } from '@trunkline/contracts/cdc/v1/cdc_admin';
import { createGrpcClient } from '@trunkline/runtime';
import { CdcTestStack, describeEachBroker, describeWithEngine } from '@trunkline/testing';
import { decimalText } from '../columns';
import { ChangeReader } from '../testing/change-reader';

describeWithEngine('postgres', 'column types in change events', (pg) => {
  describeEachBroker('every listed type, and a schema change the registry refuses', (broker) => {
    const stack = new CdcTestStack(pg.POSTGRES_URL!, broker);
    const { db } = stack;
    let reader: ChangeReader;

    beforeAll(async () => {
      await stack.prepare(`
        CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
        CREATE TABLE everything (
          id int PRIMARY KEY, small smallint, big bigint, price numeric(12,4), ratio numeric,
          f4 real, f8 double precision, flag boolean, name varchar(20), body text, blob bytea, uid uuid,
          day date, at_time time, local_ts timestamp, utc_ts timestamptz, span interval,
          doc json, docb jsonb, tags text[], scores int[], feeling mood
        );
        CREATE TABLE steady (id int PRIMARY KEY, n int);
        CREATE TABLE altered (id int PRIMARY KEY, amount int);
      `);
      await stack.startIngestor();
      reader = new ChangeReader(broker.bootstrap, stack.registry.url);
      await reader.start(['everything', 'steady', 'altered'].map((t) => stack.ingestor.topic('public', t)));
    }, 90_000);

    afterAll(async () => {
      await reader?.stop();
      await stack.stop();
    }, 60_000);

    it('carries every listed type exactly', async () => {
      await db.sql.query(`
        INSERT INTO everything VALUES (
          1, -32768, 4611686018427387, 12345678.1234, 3.14159265358979323846264338327950288,
          1.5, 2.25, true, 'short', 'long text', '\\xdeadbeef', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
          '2024-02-29', '13:45:30.123456', '2024-02-29 13:45:30.5', '2024-02-29 13:45:30.5+02', '1 year 2 mons 3 days 04:05:06.5',
          '{"a": [1, 2]}', '{"b": true}', '{x,"y z",NULL}', '{1,2,3}', 'happy'
        ), (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`);
      const changes = await reader.waitFor(
        (all) => all.filter((c) => c.value?.source.table === 'everything').length >= 2,
      );
      const [full, empty] = changes
        .filter((c) => c.value?.source.table === 'everything')
        .map((c) => c.value!.after!);
      expect(full).toMatchObject({
        id: 1,
        small: -32768,
        name: 'short',
        body: 'long text',
        flag: true,
        f4: 1.5,
        f8: 2.25,
        uid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
        day: 19782, // days since 1970-01-01
        at_time: 49530123456, // µs since midnight
        local_ts: 1709214330500000,
        utc_ts: 1709207130500000,
        span: 'P1Y2M3DT4H5M6.5S',
        doc: '{"a": [1, 2]}',
        docb: '{"b": true}',
        tags: ['x', 'y z', null],
        scores: [1, 2, 3],
        feeling: 'happy',
        ratio: '3.14159265358979323846264338327950288',
      });
      // int8 (this consumer reads longs as JS numbers: beyond 2^53 it refuses them) and numeric(12,4) as exact decimal bytes
      expect(String(full!.big)).toBe('4611686018427387');
      expect(decimalText(full!.price as Buffer, 4)).toBe('12345678.1234');
      expect((full!.blob as Buffer).toString('hex')).toBe('deadbeef');
      expect(
        Object.entries(empty!)
          .filter(([k]) => k !== 'id')
          .every(([, v]) => v === null),
      ).toBe(true);
    });

    it('stops only the table whose new schema the registry refuses, and says why', async () => {
      await db.sql.query('ALTER TABLE altered ALTER COLUMN amount TYPE text');
      await db.sql.query("INSERT INTO altered VALUES (1, 'twelve')");
      await db.sql.query('INSERT INTO steady VALUES (1, 1)');
      await reader.waitFor((all) => all.some((c) => c.value?.source.table === 'steady'));
      const client = createGrpcClient(CdcAdminService, stack.ingestor.grpcAddress);
      try {
        const status = await client.getStatus({});
        const altered = status.tables.find((t) => t.table === 'public.altered')!;
        expect(altered.state).toBe('stopped');
        expect(altered.lastError).toContain('refused the schema of public.altered');
        expect(status.tables.find((t) => t.table === 'public.steady')!.state).toBe('capturing');
      } finally {
        client.close();
      }
      expect(reader.changes.some((c) => c.value?.source.table === 'altered')).toBe(false);
    });
  });
});
