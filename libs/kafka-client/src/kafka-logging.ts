import type { Logger } from '@trunkline/runtime';
import { type logCreator, logLevel } from 'kafkajs';

/**
 * Routes kafkajs's own logs into the service logger. Its INFO lines (every group join and
 * fetch restart) go to debug, so an operator's info log stays about the registry.
 */
export function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _name, ...extra } = log;
      const fields = { kafkajs: namespace, ...extra };
      if (level === logLevel.ERROR) logger.warn(fields, message);
      else if (level === logLevel.WARN) logger.warn(fields, message);
      else logger.debug(fields, message);
    };
}
