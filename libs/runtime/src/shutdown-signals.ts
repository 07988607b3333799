import type { Logger } from './logger';

const EXIT_CODE_BY_SIGNAL: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * First SIGTERM/SIGINT: run `stop` and exit with the code it returns. A second signal
 * while stopping exits at once, for people who pressed Ctrl-C twice.
 */
export function exitOnShutdownSignal(stop: () => Promise<number>, logger: Logger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(EXIT_CODE_BY_SIGNAL[signal] ?? 1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stop().then(
      (code) => process.exit(code),
      (error: unknown) => {
        logger.fatal({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
