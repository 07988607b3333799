import type { DestinationStream } from 'pino';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { type ConfigOf, flagName, type SettingsSpec } from './config/parse-settings';
import { Code, TrunklineError } from './errors';
import { GrpcServer } from './grpc/grpc-server';
import { ObservabilityServer } from './http/observability-server';
import { createLogger, type Logger, newInstanceId } from './logger';
import {
  type CommonSettings,
  commonSettings,
  type ServiceConfig,
  type ServicePorts,
} from './service-settings';
import { TRUNKLINE_VERSION } from './version';

export interface Listener {
  /** What the listener speaks: "grpc", "http", "kafka", "rest". */
  protocol: string;
  /** host:port */
  address: string;
}

/** What a service's `start` gets to build itself. */
export interface ServiceContext<C> {
  readonly config: C;
  readonly logger: Logger;
  readonly metrics: Registry;
  /** Register admin services here; the runtime binds and serves them. */
  readonly grpc: GrpcServer;
  readonly instanceId: string;
  readonly version: string;
  readonly startedAt: Date;
  /** Announces a data-plane listener (Kafka, REST) so `trunkline up` and logs show it. */
  addListener(listener: Listener): void;
  /** Every listener of the service, gRPC and HTTP included once it is ready. */
  listeners(): readonly Listener[];
}

/** A service's own work, stopped after its gRPC calls drained. */
export interface RunningService {
  stop(): Promise<void>;
}

export interface ServiceDefinition<S extends SettingsSpec = SettingsSpec> {
  /** Name as given to `trunkline serve`, e.g. "broker". */
  readonly name: string;
  /** One line for help output. */
  readonly summary: string;
  readonly ports: ServicePorts;
  /** Settings of this service beyond the common ones (host, ports, log level, ...). */
  readonly settings: S;
  start(context: ServiceContext<ServiceConfig<S>>): Promise<RunningService | undefined>;
}

/** Identity function that checks a service definition and infers its config type. */
export function defineService<S extends SettingsSpec>(
  definition: ServiceDefinition<S>,
): ServiceDefinition<S> {
  return definition;
}

/** Every setting of a service: the common ones, then its own. */
export function serviceSettings<S extends SettingsSpec>(
  definition: ServiceDefinition<S>,
): CommonSettings & S {
  return { ...commonSettings(definition.ports), ...definition.settings };
}

export interface StartOptions {
  /** Where logs go (stdout by default). */
  logDestination?: DestinationStream;
}

/** A started service. */
export interface ServiceHandle {
  readonly name: string;
  readonly instanceId: string;
  readonly logger: Logger;
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly listeners: readonly Listener[];
  /**
   * Graceful stop: readiness off, gRPC stops accepting and drains in-flight calls, then the
   * service's own work stops, within the shutdown timeout. Resolves true if all finished in time.
   */
  stop(): Promise<boolean>;
}

/** Starts a service in this process: HTTP observability, the service itself, then gRPC. */
export async function startService<S extends SettingsSpec>(
  definition: ServiceDefinition<S>,
  config: ConfigOf<CommonSettings & S>,
  options: StartOptions = {},
): Promise<ServiceHandle> {
  const common = config as ConfigOf<CommonSettings>;
  const instanceId = common.instanceId ?? newInstanceId();
  const logger = createLogger({
    service: definition.name,
    instanceId,
    level: common.logLevel,
    ...(options.logDestination === undefined ? {} : { destination: options.logDestination }),
  });
  const startedAt = new Date();
  const metrics = new Registry();
  metrics.setDefaultLabels({ service: definition.name });
  collectDefaultMetrics({ register: metrics });
  new Gauge({
    name: 'trunkline_service_info',
    help: 'Always 1; labels identify the running service',
    labelNames: ['version', 'instance'],
    registers: [metrics],
  }).set({ version: TRUNKLINE_VERSION, instance: instanceId }, 1);

  let ready = false;
  const http = new ObservabilityServer({ metrics, isReady: () => ready });
  const grpc = new GrpcServer({ logger, metrics });
  const listeners: Listener[] = [];
  let running: RunningService | undefined;
  let httpPort: number | undefined;

  try {
    httpPort = await listenOrExplain(() => http.listen(common.host, common.httpPort), 'httpPort', common);
    listeners.push({ protocol: 'http', address: `${common.host}:${httpPort}` });
    running = await definition.start({
      config,
      logger,
      metrics,
      grpc,
      instanceId,
      version: TRUNKLINE_VERSION,
      startedAt,
      addListener: (listener) => listeners.push(listener),
      listeners: () => listeners,
    });
    const grpcPort = await listenOrExplain(
      () => grpc.listen(common.host, common.grpcPort),
      'grpcPort',
      common,
    );
    listeners.unshift({ protocol: 'grpc', address: `${common.host}:${grpcPort}` });
    grpc.setServing(true);
    ready = true;
    logger.info({ version: TRUNKLINE_VERSION, listeners, grpcServices: grpc.serviceNames }, 'service ready');

    let stopping: Promise<boolean> | undefined;
    const stop = async (): Promise<boolean> => {
      ready = false;
      const deadline = Date.now() + common.shutdownTimeout;
      const drained = await grpc.shutdown(common.shutdownTimeout);
      const stopped = await withinDeadline(running?.stop() ?? Promise.resolve(), deadline);
      await http.close();
      const graceful = drained && stopped;
      if (graceful) logger.info('service stopped');
      else
        logger.warn(
          { timeoutMs: common.shutdownTimeout },
          'shutdown timeout passed: in-flight work was cut off',
        );
      return graceful;
    };
    return {
      name: definition.name,
      instanceId,
      logger,
      grpcPort,
      httpPort,
      listeners,
      stop: () => {
        stopping ??= stop();
        return stopping;
      },
    };
  } catch (error) {
    await grpc.shutdown(0);
    await running?.stop().catch(() => undefined);
    await http.close();
    throw error;
  }
}

async function withinDeadline(work: Promise<void>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([work.then(() => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Turns a failed bind into an error naming the flag that chose the port. */
async function listenOrExplain(
  listen: () => Promise<number>,
  setting: 'grpcPort' | 'httpPort',
  config: ConfigOf<CommonSettings>,
): Promise<number> {
  try {
    return await listen();
  } catch (error) {
    const reason = describeListenError(error);
    throw new TrunklineError(
      Code.Unavailable,
      `cannot listen on ${config.host}:${config[setting]} (--${flagName(setting)}): ${reason}`,
      { details: { setting: `--${flagName(setting)}` }, cause: error },
    );
  }
}

function describeListenError(error: unknown): string {
  // grpc-js reports bind failures only in its message text.
  const text = `${(error as NodeJS.ErrnoException).code ?? ''} ${(error as Error).message}`;
  if (text.includes('EADDRINUSE')) return 'address already in use';
  if (text.includes('EACCES')) return 'permission denied';
  if (text.includes('EADDRNOTAVAIL')) return 'address not available on this machine';
  return (error as Error).message;
}
