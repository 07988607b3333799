export { ConfigError } from './config/config-error';
export {
  type ConfigOf,
  ENV_PREFIX,
  envName,
  flagName,
  type ParseResult,
  parseSettings,
  type SettingsSpec,
} from './config/parse-settings';
export type { Setting } from './config/settings';
export * as setting from './config/settings';
export { settingsHelp } from './config/settings-help';
export { Code, httpStatusOf, TrunklineError, type TrunklineErrorOptions } from './errors';
export { type ClientCallOptions, createGrpcClient, type GrpcClient } from './grpc/grpc-client';
export { GrpcServer, type GrpcServerOptions } from './grpc/grpc-server';
export { checkHealth, type ServingStatus } from './grpc/health-client';
export type { CallContext, ServerStreamingImpl, ServiceImpl, UnaryImpl } from './grpc/service-impl';
export { type InstanceFacts, serviceInfo } from './grpc/service-info';
export { ObservabilityServer } from './http/observability-server';
export {
  createLogger,
  LOG_LEVELS,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  newInstanceId,
} from './logger';
export { type RunServiceOptions, runService, serviceHelp } from './run-service';
export {
  defineService,
  type Listener,
  type RunningService,
  type ServiceContext,
  type ServiceDefinition,
  type ServiceHandle,
  type StartOptions,
  serviceSettings,
  startService,
} from './service';
export {
  type CommonSettings,
  commonSettings,
  type ServiceConfig,
  type ServicePorts,
} from './service-settings';
export { exitOnShutdownSignal } from './shutdown-signals';
export { TRUNKLINE_VERSION } from './version';
