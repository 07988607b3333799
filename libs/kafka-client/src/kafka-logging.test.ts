import { createLogger } from '@trunkline/runtime';
import { logLevel } from 'kafkajs';
import { kafkaLogCreator } from './kafka-logging';

describe('kafkaLogCreator', () => {
  it('writes kafkajs errors and warnings as warnings, the rest as debug, with the namespace', () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      service: 'test',
      instanceId: 'i',
      level: 'debug',
      destination: { write: (line: string) => lines.push(JSON.parse(line)) },
    });
    const log = kafkaLogCreator(logger)(logLevel.DEBUG);
    log({
      namespace: 'Connection',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: { message: 'refused', timestamp: 't', logger: 'kafkajs', broker: 'b:1' },
    });
    log({
      namespace: 'Consumer',
      level: logLevel.INFO,
      label: 'INFO',
      log: { message: 'joined', timestamp: 't', logger: 'kafkajs' },
    });
    expect(lines.map((l) => [l.level, l.msg, l.kafkajs])).toEqual([
      ['warn', 'refused', 'Connection'],
      ['debug', 'joined', 'Consumer'],
    ]);
    expect(lines[0]).toMatchObject({ broker: 'b:1' });
  });
});
