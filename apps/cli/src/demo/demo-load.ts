import type { Logger } from '@trunkline/runtime';
import { Client } from 'pg';

/** One kind of change the load makes; each is one statement that picks its own random rows. */
export interface DemoOperation {
  readonly name: string;
  readonly kind: 'insert' | 'update' | 'delete';
  /** Relative frequency. */
  readonly weight: number;
  readonly sql: string;
  params?(): unknown[];
}

const placeOrder: DemoOperation = {
  name: 'place-order',
  kind: 'insert',
  weight: 30,
  sql: `insert into orders (customer_id, total, items, tags)
        select c.id, p.price * q.qty, jsonb_build_array(jsonb_build_object('sku', p.sku, 'qty', q.qty)),
               case when random() < 0.2 then '{gift}'::text[] else '{}'::text[] end
        from (select id from customers order by random() limit 1) c,
             (select sku, price from products order by random() limit 1) p,
             (select 1 + floor(random() * 3)::int as qty) q`,
};

const advanceOrder: DemoOperation = {
  name: 'advance-order',
  kind: 'update',
  weight: 30,
  sql: `update orders set updated_at = now(), status = case status
          when 'pending' then 'paid' when 'paid' then 'shipped' else 'delivered' end::order_status
        where id = (select id from orders where status in ('pending', 'paid', 'shipped') order by random() limit 1)`,
};

const cancelOrder: DemoOperation = {
  name: 'cancel-order',
  kind: 'update',
  weight: 5,
  sql: `update orders set status = 'cancelled', updated_at = now()
        where id = (select id from orders where status = 'pending' order by random() limit 1)`,
};

const removeOrder: DemoOperation = {
  name: 'remove-order',
  kind: 'delete',
  weight: 20,
  // Finished orders first, so the open ones live long enough to move through their states.
  sql: `delete from orders where id = (
          select id from orders order by status in ('delivered', 'cancelled') desc, random() limit 1)`,
};

const repriceProduct: DemoOperation = {
  name: 'reprice-product',
  kind: 'update',
  weight: 10,
  sql: `update products set price = greatest(1, round(price * (0.95 + random() * 0.1)::numeric, 2)),
                            stock = greatest(0, stock + floor(random() * 11)::int - 5)
        where id = (select id from products order by random() limit 1)`,
};

const signUp: DemoOperation = {
  name: 'sign-up',
  kind: 'insert',
  weight: 3,
  sql: 'insert into customers (name, email) values ($1, $2)',
  params: () => {
    const id = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
    return [`Paddler ${id}`, `paddler-${id}@example.com`];
  },
};

const closeAccount: DemoOperation = {
  name: 'close-account',
  kind: 'delete',
  weight: 2,
  // The seed customers stay; a closed account takes its orders with it (on delete cascade).
  sql: 'delete from customers where id = (select id from customers where id > 5 order by random() limit 1)',
};

export const DEMO_OPERATIONS: readonly DemoOperation[] = [
  placeOrder,
  advanceOrder,
  cancelOrder,
  removeOrder,
  repriceProduct,
  signUp,
  closeAccount,
];

/** Above this many orders the load deletes where it would insert, so the tables stay small. */
export const MAX_DEMO_ORDERS = 1_000;

/** The operation for a random number in [0, 1), given how many orders there are. */
export function chooseOperation(random: number, orders: number): DemoOperation {
  const total = DEMO_OPERATIONS.reduce((sum, op) => sum + op.weight, 0);
  let point = random * total;
  for (const operation of DEMO_OPERATIONS) {
    point -= operation.weight;
    if (point < 0) return operation === placeOrder && orders >= MAX_DEMO_ORDERS ? removeOrder : operation;
  }
  return DEMO_OPERATIONS[DEMO_OPERATIONS.length - 1]!;
}

export interface DemoLoadCounts {
  inserts: number;
  updates: number;
  deletes: number;
  /** Statements that failed (logged); the load goes on. */
  failures: number;
}

export interface DemoLoad {
  counts(): DemoLoadCounts;
  /** Finishes the statement in flight and disconnects. */
  stop(): Promise<void>;
}

export interface DemoLoadOptions {
  /** The demo database (see ensureDemoDatabase). */
  url: string;
  opsPerSecond: number;
  logger: Logger;
}

const RECOUNT_EVERY_MS = 5_000;

/**
 * About `opsPerSecond` inserts, updates and deletes a second on the demo tables, one statement
 * at a time over one connection. When the database is slower than the rate, the load runs as
 * fast as it can and does not try to catch up later.
 */
export async function startDemoLoad({ url, opsPerSecond, logger }: DemoLoadOptions): Promise<DemoLoad> {
  const counts: DemoLoadCounts = { inserts: 0, updates: 0, deletes: 0, failures: 0 };
  let stopped = false;
  let wake: () => void = () => undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  // Set when the connection closes under the load (Postgres restarted, network): reconnect.
  let lost = false;
  const connect = async () => {
    const fresh = new Client({ connectionString: url });
    fresh.on('error', (error) => logger.debug({ err: error }, 'demo load connection lost'));
    fresh.once('end', () => {
      lost = true;
    });
    await fresh.connect();
    lost = false;
    return fresh;
  };
  let client = await connect();
  let orders = await countOrders(client);
  let recountAt = Date.now() + RECOUNT_EVERY_MS;

  const step = async () => {
    const operation = chooseOperation(Math.random(), orders);
    try {
      const result = await client.query(operation.sql, operation.params?.() ?? []);
      const changed = result.rowCount ?? 0;
      if (operation.kind === 'insert') counts.inserts += changed;
      else if (operation.kind === 'update') counts.updates += changed;
      else counts.deletes += changed;
      if (operation === placeOrder) orders += changed;
      if (operation === removeOrder) orders -= changed;
      if (Date.now() > recountAt) {
        orders = await countOrders(client);
        recountAt = Date.now() + RECOUNT_EVERY_MS;
      }
    } catch (error) {
      counts.failures += 1;
      if (counts.failures === 1 || counts.failures % 100 === 0)
        logger.warn({ err: error, operation: operation.name, failures: counts.failures }, 'demo load failed');
      if (stopped || !lost) return;
      await pause(1_000);
      if (!stopped) client = await connect().catch(() => client);
    }
  };

  const loop = (async () => {
    const interval = 1_000 / opsPerSecond;
    let next = performance.now();
    while (!stopped) {
      await step();
      next += interval;
      const wait = next - performance.now();
      if (wait > 0) await pause(wait);
      else if (wait < -1_000) next = performance.now();
    }
  })();

  logger.info({ opsPerSecond }, 'demo load started');
  return {
    counts: () => ({ ...counts }),
    async stop() {
      stopped = true;
      wake();
      await loop;
      await client.end().catch(() => undefined);
      logger.info({ ...counts }, 'demo load stopped');
    },
  };
}

async function countOrders(client: Client): Promise<number> {
  const { rows } = await client.query<{ n: number }>('select count(*)::int as n from orders');
  return rows[0]?.n ?? 0;
}
