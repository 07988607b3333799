import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { LaunchSpec } from './engine';

/** Runs a command to completion (setup steps such as formatting storage); rejects with its output. */
export function runToCompletion(
  spec: Omit<LaunchSpec, 'stopSignal' | 'cleanup'>,
  what: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(spec.command, spec.args, {
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(spec.uid === undefined ? {} : { uid: spec.uid, gid: spec.gid }),
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.on('error', (error) => reject(new Error(`${what}: cannot run ${spec.command}: ${error.message}`)));
    child.on('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${what} failed (exit ${code}):\n${output.trim()}`)),
    );
  });
}

/**
 * Starts the engine in its own process group, detached from this process so it outlives
 * it, with stdout and stderr appended to `logFile`.
 */
export function launchDetached(spec: LaunchSpec, logFile: string): number {
  const log = openSync(logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', log, log],
      detached: true,
      ...(spec.uid === undefined ? {} : { uid: spec.uid, gid: spec.gid }),
    });
    if (child.pid === undefined) throw new Error(`cannot start ${spec.command}`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(log);
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitForGroupExit(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(pgid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

/**
 * Asks the engine to shut down with its stop signal; after `graceMs` kills its whole
 * process group. Resolves once no process of the group is left; true if it shut down cleanly.
 */
export async function stopProcessGroup(
  pgid: number,
  signal: NodeJS.Signals,
  graceMs: number,
): Promise<boolean> {
  if (!groupAlive(pgid)) return true;
  try {
    process.kill(pgid, signal);
  } catch {
    // The leader is gone; the rest of the group is killed below.
  }
  if (await waitForGroupExit(pgid, graceMs)) return true;
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // Already gone.
  }
  await waitForGroupExit(pgid, 10_000);
  return false;
}
