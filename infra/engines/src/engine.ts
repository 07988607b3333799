/** `KEY=value` pairs that tell clients how to reach a running engine. */
export type EngineEnv = Record<string, string>;

export interface InstallContext {
  /** Shared, persistent cache directory; each engine keeps a versioned folder in it. */
  readonly cacheDir: string;
  /** Progress for people, written to stderr. */
  progress(message: string): void;
}

export interface RunContext extends InstallContext {
  /** Private to this run: config, logs, data. Removed when the engine stops. */
  readonly runDir: string;
  readonly port: number;
}

/** How to launch the engine's long-running process. */
export interface LaunchSpec {
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** Run as this user (Postgres refuses to run as root). */
  uid?: number;
  gid?: number;
  /** The signal that shuts the engine down cleanly (Postgres: SIGINT, "fast" shutdown). */
  stopSignal?: NodeJS.Signals;
  /** Extra directories to delete on stop (data kept outside runDir). */
  cleanup?: string[];
}

export interface ReadinessProbe {
  readonly env: EngineEnv;
  readonly port: number;
  /** The engine's log so far. */
  log(): string;
}

/** A reference engine that tests and benchmarks run against. */
export interface Engine {
  readonly name: string;
  /** What runs, with its version: "Apache Kafka 4.1.1 (KRaft, single node)". */
  readonly description: string;
  /** Where it comes from: "Maven Central (org.apache.kafka:kafka_2.13)". */
  readonly source: string;
  readonly defaultPort: number;
  /** Downloads or builds into the cache; does nothing when the cache already holds it. */
  install(context: InstallContext): Promise<void>;
  /** Writes config and initialises storage; returns how to launch and how clients reach it. */
  prepare(context: RunContext): Promise<{ launch: LaunchSpec; env: EngineEnv }>;
  /** True once the engine answers clients. */
  isReady(probe: ReadinessProbe): Promise<boolean>;
  /** Runs once the engine is ready: create the test database, the bucket, ... */
  afterReady?(env: EngineEnv): Promise<void>;
}
