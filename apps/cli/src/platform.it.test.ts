import { tmpdir } from 'node:os';
import { checkHealth, defineService } from '@trunkline/runtime';
import { probeService } from '@trunkline/testing';
import { listenersTable, startPlatform } from './platform';

// Two distinct services built on the probe fixture stand in for the platform's services:
// what is tested is how `trunkline up` starts, lists and stops whatever services exist.
const first = defineService({ ...probeService, name: 'first' });
const second = defineService({ ...probeService, name: 'second' });

describe('startPlatform', () => {
  it('starts every service, lists where each listens and stops them all', async () => {
    const platform = await startPlatform([first, second], {
      host: '127.0.0.1',
      logLevel: 'silent',
      dataDir: tmpdir(),
    });
    try {
      expect(platform.services.map((s) => s.name)).toEqual(['first', 'second']);
      for (const service of platform.services) {
        expect(await checkHealth(`127.0.0.1:${service.grpcPort}`)).toBe('SERVING');
      }
      const table = listenersTable(platform);
      expect(table).toMatch(/^SERVICE +LISTENS ON$/m);
      expect(table).toMatch(/^first +grpc 127\.0\.0\.1:\d+, http 127\.0\.0\.1:\d+$/m);
      expect(table).toMatch(/^second +grpc 127\.0\.0\.1:\d+, http 127\.0\.0\.1:\d+$/m);
    } finally {
      expect(await platform.stop()).toBe(true);
    }
    for (const service of platform.services) {
      await expect(checkHealth(`127.0.0.1:${service.grpcPort}`, '', 500)).rejects.toThrow();
    }
  });

  it('stops the services already started when a later one fails to start', async () => {
    const failing = defineService({
      ...probeService,
      name: 'failing',
      start: async () => {
        throw new Error('engine refused to open');
      },
    });
    let stopped = false;
    const watching = defineService({
      ...probeService,
      name: 'watching',
      start: async (context) => {
        await probeService.start(context);
        return {
          stop: async () => {
            stopped = true;
          },
        };
      },
    });
    await expect(
      startPlatform([watching, failing], { host: '127.0.0.1', logLevel: 'silent', dataDir: tmpdir() }),
    ).rejects.toThrow('engine refused to open');
    expect(stopped).toBe(true);
  });
});
