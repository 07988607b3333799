import { randomBytes } from 'node:crypto';
import { Client } from '@opensearch-project/opensearch';
import { describeWithEngine } from '@trunkline/testing';

describeWithEngine('opensearch', 'the opensearch engine', (env) => {
  const client = new Client({ node: env.OPENSEARCH_URL! });
  const index = `engine-test-${randomBytes(4).toString('hex')}`;

  afterAll(async () => {
    await client.indices.delete({ index }).catch(() => undefined);
    await client.close();
  });

  it('answers GET / with its version', async () => {
    const { body } = await client.info();
    expect(body.version.distribution).toBe('opensearch');
    expect(body.version.number).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('indexes documents and finds one with a stemmed full-text query', async () => {
    await client.indices.create({
      index,
      body: {
        mappings: {
          properties: { title: { type: 'text', analyzer: 'english' }, price: { type: 'integer' } },
        },
      },
    });
    await client.index({
      index,
      id: 'order-1',
      body: { title: 'Sea kayak with paddles', price: 899 },
      refresh: true,
    });
    await client.index({
      index,
      id: 'order-2',
      body: { title: 'Mountain bike', price: 1299 },
      refresh: true,
    });
    const { body } = await client.search({ index, body: { query: { match: { title: 'kayaks paddle' } } } });
    expect(body.hits.hits.map((hit) => hit._id)).toEqual(['order-1']);
  });
});
