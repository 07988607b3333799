import type { ConfigOf, SettingsSpec } from './config/parse-settings';
import { choice, duration, port, text } from './config/settings';
import { LOG_LEVELS } from './logger';

export interface ServicePorts {
  /** gRPC admin API (50051-50057 by service). */
  grpc: number;
  /** HTTP /metrics, /healthz, /readyz (9641-9647 by service). */
  http: number;
}

/** Settings every service has, whatever it does. */
export function commonSettings(ports: ServicePorts) {
  return {
    host: text({ describe: 'address the gRPC and HTTP listeners bind to', default: '127.0.0.1' }),
    grpcPort: port({ describe: 'port of the gRPC admin API', default: ports.grpc }),
    httpPort: port({ describe: 'port of HTTP /metrics, /healthz and /readyz', default: ports.http }),
    logLevel: choice(LOG_LEVELS, { describe: 'least severe log level written', default: 'info' }),
    instanceId: text({ describe: 'id carried by every log line (default: host-pid-random)' }),
    shutdownTimeout: duration({
      describe: 'how long SIGTERM waits for in-flight work before cutting it off',
      default: 10_000,
    }),
  };
}

export type CommonSettings = ReturnType<typeof commonSettings>;
export type ServiceConfig<S extends SettingsSpec> = ConfigOf<CommonSettings & S>;
