import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  service: string;
  instanceId: string;
  level: LogLevel;
  /** Where JSON lines go; stdout by default. */
  destination?: DestinationStream;
}

/** Structured JSON logs: one object per line carrying the service name and instance id. */
export function createLogger(options: LoggerOptions): Logger {
  // Synchronous writes: log volume is low by design (nothing is logged per record), and a
  // line written just before the process exits must not be lost.
  const destination = options.destination ?? pino.destination({ dest: 1, sync: true });
  return pino(
    {
      level: options.level,
      base: { service: options.service, instance: options.instanceId },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** `host-pid-xxxx`: unique per process, readable in logs. */
export function newInstanceId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
}
