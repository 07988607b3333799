import { getEventListeners } from 'node:events';
import { connect } from 'node:net';
import { createLogger } from '@trunkline/runtime';
import { Dispatcher } from '../handlers/dispatcher';
import { KafkaServer } from './kafka-server';

describe('KafkaServer', () => {
  it('keeps no shutdown listener for connections that closed', async () => {
    const server = new KafkaServer({
      dispatcher: new Dispatcher([]),
      state: {},
      logger: createLogger({ service: 'broker', instanceId: 'test', level: 'silent' }),
      maxRequestBytes: 1024,
    });
    const port = await server.listen('127.0.0.1', 0);
    const shutdown = (server as unknown as { shutdown: AbortController }).shutdown.signal;
    try {
      for (let i = 0; i < 25; i++) {
        const socket = connect(port, '127.0.0.1');
        await new Promise((resolve) => socket.once('connect', resolve));
        await new Promise((resolve) => setTimeout(resolve, 5));
        socket.destroy();
      }
      const deadline = Date.now() + 2000;
      while (server.connectionCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(server.connectionCount).toBe(0);
      expect(getEventListeners(shutdown, 'abort')).toHaveLength(0);
    } finally {
      await server.close();
    }
  });
});
