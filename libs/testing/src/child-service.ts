import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { type Stoppable, track, untrack } from './cleanup';

export interface ChildServiceOptions {
  /** Program and arguments, e.g. `trunklineCommand('serve', 'broker', '--grpc-port', '0')`. */
  command: readonly [string, ...string[]];
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** How long to wait for the "service ready" log line. */
  readyTimeoutMs?: number;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface LogEntry {
  level?: string;
  msg?: string;
  [key: string]: unknown;
}

/** A service running as a child process, its output captured. */
export class ChildService implements Stoppable {
  readonly description: string;
  readonly exited: Promise<Exit>;
  private captured = '';
  private exit: Exit | undefined;

  private constructor(
    private readonly child: ChildProcess,
    command: readonly string[],
  ) {
    this.description = command.join(' ');
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.append(chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.append(chunk));
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      }),
    );
  }

  /** Spawns the command without waiting for readiness (for commands expected to fail). */
  static spawn(options: ChildServiceOptions): ChildService {
    const [program, ...args] = options.command;
    const child = spawn(program, args, {
      cwd: options.cwd ?? repoRoot(),
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return track(new ChildService(child, options.command));
  }

  /** Spawns the command and waits until it logs "service ready"; fails with its output otherwise. */
  static async start(options: ChildServiceOptions): Promise<ChildService> {
    const service = ChildService.spawn(options);
    await service.waitForLog((entry) => entry.msg === 'service ready', options.readyTimeoutMs ?? 20_000);
    return service;
  }

  get pid(): number {
    return this.child.pid!;
  }

  output(): string {
    return this.captured;
  }

  /** Output lines that parse as JSON log entries. */
  logs(): LogEntry[] {
    return this.captured.split('\n').flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as LogEntry];
      } catch {
        return [];
      }
    });
  }

  /** Address of the listener speaking `protocol`, from the "service ready" log line. */
  address(protocol: string): string {
    const ready = this.logs().find((entry) => entry.msg === 'service ready');
    const listeners = (ready?.listeners ?? []) as { protocol: string; address: string }[];
    const listener = listeners.find((l) => l.protocol === protocol);
    if (listener === undefined) throw new Error(`${this.description} announced no ${protocol} listener`);
    return listener.address;
  }

  /** Resolves with the first log entry matching `predicate`; rejects with the output on exit or timeout. */
  async waitForLog(predicate: (entry: LogEntry) => boolean, timeoutMs = 10_000): Promise<LogEntry> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = this.logs().find(predicate);
      if (match !== undefined) return match;
      if (this.exit !== undefined) {
        throw new Error(
          `${this.description} exited (${describeExit(this.exit)}) before the expected log line:\n${this.captured}`,
        );
      }
      if (Date.now() > deadline) {
        throw new Error(
          `${this.description}: no expected log line within ${timeoutMs} ms:\n${this.captured}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  signal(signal: NodeJS.Signals): void {
    if (this.exit === undefined) this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 10_000): Promise<Exit> {
    untrack(this);
    if (this.exit !== undefined) return this.exit;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  private append(chunk: string): void {
    this.captured += chunk;
  }
}

function describeExit(exit: Exit): string {
  return exit.signal === null ? `code ${exit.code}` : `signal ${exit.signal}`;
}

/** The repository root, where `npx trunkline` and `npm` commands run. */
export function repoRoot(): string {
  return join(__dirname, '..', '..', '..');
}

/** Runs a TypeScript file with node, as the CLI does. */
export function tsCommand(file: string, ...args: string[]): [string, ...string[]] {
  return [process.execPath, '--require', require.resolve('tsx/cjs'), file, ...args];
}

/** The `trunkline` CLI from this checkout, as `npx trunkline` runs it. */
export function trunklineCommand(...args: string[]): [string, ...string[]] {
  return [process.execPath, join(repoRoot(), 'apps/cli/bin/trunkline.js'), ...args];
}
