import { createServer } from 'node:net';
import { SchemaRegistryClient } from './registry-client';
import { SchemaRegistryUnavailableError } from './registry-errors';

/** A local port nothing listens on: bound then released, so connecting is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('SchemaRegistryClient transport failures', () => {
  it('retries with backoff, then throws a retriable SchemaRegistryUnavailableError', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const attempts: number[] = [];
    const client = new SchemaRegistryClient({
      url,
      retries: 2,
      retryBackoffMs: 20,
      fetch: (input, init) => {
        attempts.push(Date.now());
        return fetch(input, init);
      },
    });
    const failure = await client.getSchemaById(1).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SchemaRegistryUnavailableError);
    const unavailable = failure as SchemaRegistryUnavailableError;
    expect(unavailable.retriable).toBe(true);
    expect(unavailable.attempts).toBe(3);
    expect(unavailable.message).toContain(`GET /schemas/ids/1 to ${url}`);
    expect(unavailable.message).toContain('ECONNREFUSED');
    expect(attempts).toHaveLength(3);
    // 20 ms then 40 ms between attempts
    expect(attempts[2]! - attempts[0]!).toBeGreaterThanOrEqual(55);
  });

  it('shares one request among identical concurrent calls and does not cache the failure', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    let calls = 0;
    const client = new SchemaRegistryClient({
      url,
      retries: 0,
      fetch: (input, init) => {
        calls++;
        return fetch(input, init);
      },
    });
    const results = await Promise.allSettled([client.getSchemaById(7), client.getSchemaById(7)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(1);
    await expect(client.getSchemaById(7)).rejects.toThrow(SchemaRegistryUnavailableError);
    expect(calls).toBe(2);
  });
});
