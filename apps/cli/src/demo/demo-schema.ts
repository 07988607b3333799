import { Client } from 'pg';

/** The database `trunkline up` creates in its embedded Postgres and captures. */
export const DEMO_DATABASE = 'trunkline';

/**
 * A small shop: the column types people meet in practice (identity keys, text, numeric money,
 * timestamptz, an enum, jsonb, text[]), so every one of them shows up in the change topics.
 */
export const DEMO_SCHEMA_SQL = `
create type order_status as enum ('pending', 'paid', 'shipped', 'delivered', 'cancelled');

create table customers (
  id bigint generated always as identity primary key,
  name text not null,
  email text not null unique,
  created_at timestamptz not null default now()
);

create table products (
  id bigint generated always as identity primary key,
  sku text not null unique,
  name text not null,
  description text not null,
  price numeric(10, 2) not null,
  stock integer not null,
  tags text[] not null default '{}'
);

create table orders (
  id bigint generated always as identity primary key,
  customer_id bigint not null references customers (id) on delete cascade,
  status order_status not null default 'pending',
  total numeric(12, 2) not null,
  items jsonb not null,
  tags text[] not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

insert into customers (name, email) values
  ('Ada Lovelace', 'ada@example.com'),
  ('Grace Hopper', 'grace@example.com'),
  ('Edsger Dijkstra', 'edsger@example.com'),
  ('Barbara Liskov', 'barbara@example.com'),
  ('Donald Knuth', 'donald@example.com');

insert into products (sku, name, description, price, stock, tags) values
  ('KAY-SEA', 'Sea kayak', 'A stable touring kayak for coastal trips, with two dry hatches.', 1290.00, 12, '{boats,touring}'),
  ('KAY-WW', 'Whitewater kayak', 'A short, playful boat that turns fast in rapids.', 980.00, 7, '{boats,whitewater}'),
  ('PAD-CRB', 'Carbon paddle', 'A light two-piece paddle with feathering for long days.', 240.50, 40, '{paddles}'),
  ('PFD-TOUR', 'Touring buoyancy aid', 'Fits under a spray deck; pockets for a radio and snacks.', 119.90, 25, '{safety}'),
  ('DEK-NEO', 'Neoprene spray deck', 'Keeps the cockpit dry in waves; fits most touring cockpits.', 89.00, 30, '{accessories}'),
  ('BAG-DRY', 'Dry bag 20 l', 'Roll-top bag that keeps clothes and food dry.', 24.99, 100, '{accessories,storage}'),
  ('HLM-WW', 'Whitewater helmet', 'A helmet with ear protection for rivers.', 79.00, 18, '{safety,whitewater}'),
  ('PMP-HND', 'Hand pump', 'Empties a swamped cockpit in a minute.', 34.50, 45, '{safety}');

insert into orders (customer_id, status, total, items, tags) values
  (1, 'delivered', 1530.50, '[{"sku": "KAY-SEA", "qty": 1}, {"sku": "PAD-CRB", "qty": 1}]', '{first-order}'),
  (2, 'shipped', 208.90, '[{"sku": "PFD-TOUR", "qty": 1}, {"sku": "DEK-NEO", "qty": 1}]', '{}'),
  (3, 'paid', 49.98, '[{"sku": "BAG-DRY", "qty": 2}]', '{}'),
  (4, 'pending', 1059.00, '[{"sku": "KAY-WW", "qty": 1}, {"sku": "HLM-WW", "qty": 1}]', '{gift}'),
  (5, 'cancelled', 34.50, '[{"sku": "PMP-HND", "qty": 1}]', '{}');
`;

/** Something that can name a database URL: the embedded Postgres. */
export interface DatabaseServer {
  url(database: string): string;
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates the demo database with its schema and seed rows the first time; later starts find
 * them (and whatever the demo load did since) as they were. Returns the database's URL.
 */
export async function ensureDemoDatabase(server: DatabaseServer): Promise<string> {
  await withClient(server.url('postgres'), async (client) => {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [DEMO_DATABASE]);
    if (rowCount === 0) await client.query(`create database ${DEMO_DATABASE}`);
  });
  const url = server.url(DEMO_DATABASE);
  await withClient(url, async (client) => {
    const { rows } = await client.query<{ exists: boolean }>(
      "select to_regclass('public.orders') is not null as exists",
    );
    if (rows[0]?.exists) return;
    await client.query('begin');
    try {
      await client.query(DEMO_SCHEMA_SQL);
      await client.query('commit');
    } catch (error) {
      await client.query('rollback');
      throw error;
    }
  });
  return url;
}
