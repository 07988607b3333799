import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Code, TrunklineError } from '@trunkline/runtime';
import type { Engine, EngineEnv } from './engine';
import { launchDetached, stopProcessGroup } from './engine-process';
import { type EngineState, isAlive, readState, recordedEngines, runDirOf, writeState } from './engine-state';
import { cacheDir } from './paths';
import { freePort, isListening } from './ports';

export interface StartOptions {
  /** Port clients connect to; 0 picks a free one; default: the engine's own. */
  port?: number;
  readyTimeoutMs?: number;
  progress?: (message: string) => void;
}

export interface EngineStatus {
  name: string;
  state: 'running' | 'stopped' | 'dead';
  pid?: number;
  env?: EngineEnv;
  startedAt?: string;
}

const quiet = () => undefined;

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Starts engines in the background, records them, stops them and removes what they left. */
export class EngineManager {
  constructor(private readonly engines: readonly Engine[]) {}

  get names(): string[] {
    return this.engines.map((e) => e.name);
  }

  engine(name: string): Engine {
    const engine = this.engines.find((e) => e.name === name);
    if (engine === undefined) {
      throw new TrunklineError(
        Code.InvalidArgument,
        `unknown engine "${name}" (engines: ${this.names.join(', ')})`,
      );
    }
    return engine;
  }

  async install(name: string, progress: (message: string) => void = quiet): Promise<void> {
    await this.engine(name).install({ cacheDir: cacheDir(), progress });
  }

  /** Starts an engine and waits until it answers; if it already runs, returns its env. */
  async start(name: string, options: StartOptions = {}): Promise<EngineEnv> {
    const engine = this.engine(name);
    const progress = options.progress ?? quiet;
    const existing = readState(name);
    if (existing !== undefined) {
      if (isAlive(existing.pid)) {
        progress(`${name} is already running (pid ${existing.pid})`);
        return existing.env;
      }
      progress(`${name}: removing what a previous run left behind`);
      await this.stop(name);
    }

    const began = Date.now();
    await engine.install({ cacheDir: cacheDir(), progress });
    const port = options.port === 0 ? await freePort() : (options.port ?? engine.defaultPort);
    if (await isListening(port)) {
      throw new TrunklineError(
        Code.Unavailable,
        `${name}: port ${port} is already in use (choose another with --port)`,
      );
    }
    const runDir = runDirOf(name);
    rmSync(runDir, { recursive: true, force: true });
    mkdirSync(runDir, { recursive: true });
    const logFile = join(runDir, `${name}.log`);
    const { launch, env } = await engine.prepare({ cacheDir: cacheDir(), runDir, port, progress });
    progress(`${name}: starting ${engine.description} on 127.0.0.1:${port}`);
    const pid = launchDetached(launch, logFile);
    const state: EngineState = {
      name,
      pid,
      port,
      env,
      stopSignal: launch.stopSignal ?? 'SIGTERM',
      runDir,
      logFile,
      cleanup: launch.cleanup ?? [],
      startedAt: new Date().toISOString(),
    };
    writeState(state);

    try {
      await this.waitUntilReady(engine, state, options.readyTimeoutMs ?? 120_000);
      await engine.afterReady?.(env);
    } catch (error) {
      const log = tail(logFile, 30);
      await this.stop(name);
      throw new TrunklineError(
        Code.Unavailable,
        `${(error as Error).message}\n--- last lines of its log ---\n${log}`,
      );
    }
    progress(`${name}: ready in ${((Date.now() - began) / 1000).toFixed(1)} s`);
    return env;
  }

  private async waitUntilReady(engine: Engine, state: EngineState, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const probe = { env: state.env, port: state.port, log: () => tail(state.logFile, 10_000) };
    for (;;) {
      if (!isAlive(state.pid)) throw new Error(`${engine.name} exited while starting`);
      if (await engine.isReady(probe).catch(() => false)) return;
      if (Date.now() > deadline)
        throw new Error(`${engine.name} did not become ready within ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Stops an engine (its whole process group) and deletes its run directory and data. */
  async stop(name: string, progress: (message: string) => void = quiet): Promise<void> {
    const state = readState(name);
    if (state === undefined) {
      progress(`${name} is not running`);
      return;
    }
    const clean = await stopProcessGroup(state.pid, state.stopSignal, 30_000);
    if (!clean) progress(`${name}: did not stop within 30 s of ${state.stopSignal}; killed`);
    for (const dir of [...state.cleanup, state.runDir]) rmSync(dir, { recursive: true, force: true });
    progress(`${name}: stopped, its data removed`);
  }

  async stopAll(progress: (message: string) => void = quiet): Promise<void> {
    for (const name of recordedEngines()) await this.stop(name, progress);
  }

  status(): EngineStatus[] {
    return this.engines.map((engine) => {
      const state = readState(engine.name);
      if (state === undefined) return { name: engine.name, state: 'stopped' };
      return {
        name: engine.name,
        state: isAlive(state.pid) ? 'running' : 'dead',
        pid: state.pid,
        env: state.env,
        startedAt: state.startedAt,
      };
    });
  }
}
