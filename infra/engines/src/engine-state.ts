import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineEnv } from './engine';
import { runRoot } from './paths';

/** What is recorded about a started engine, in `<run root>/<name>/state.json`. */
export interface EngineState {
  name: string;
  pid: number;
  port: number;
  env: EngineEnv;
  stopSignal: NodeJS.Signals;
  runDir: string;
  logFile: string;
  cleanup: string[];
  startedAt: string;
}

export function runDirOf(name: string): string {
  return join(runRoot(), name);
}

function stateFile(name: string): string {
  return join(runDirOf(name), 'state.json');
}

export function readState(name: string): EngineState | undefined {
  const file = stateFile(name);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as EngineState;
}

export function writeState(state: EngineState): void {
  mkdirSync(state.runDir, { recursive: true });
  writeFileSync(stateFile(state.name), `${JSON.stringify(state, null, 2)}\n`);
}

/** Names of engines with a run directory (running, or left behind by a crash). */
export function recordedEngines(): string[] {
  if (!existsSync(runRoot())) return [];
  return readdirSync(runRoot()).filter((name) => existsSync(stateFile(name)));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The env of a running engine, or undefined when it is not running. */
export function runningEngineEnv(name: string): EngineEnv | undefined {
  const state = readState(name);
  return state !== undefined && isAlive(state.pid) ? state.env : undefined;
}
