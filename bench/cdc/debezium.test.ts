import { connectorProperties } from './debezium';

describe('connectorProperties', () => {
  it("points Debezium's Postgres connector at the bench database, with its own slot", () => {
    const props = connectorProperties('postgres://postgres:p%40ss@127.0.0.1:15432/t_abc', 'dbz_t_abc', 10);
    expect(props).toMatchObject({
      'database.hostname': '127.0.0.1',
      'database.port': '15432',
      'database.user': 'postgres',
      'database.password': 'p@ss',
      'database.dbname': 't_abc',
      'plugin.name': 'pgoutput',
      'slot.name': 'dbz_t_abc',
      'publication.name': 'dbz_t_abc',
      'table.include.list': 'public.bench_rows',
      'snapshot.mode': 'initial',
      'poll.interval.ms': '10',
    });
  });
});
