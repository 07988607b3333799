import { type ChildProcess, spawn } from 'node:child_process';

export interface ClientResult {
  code: number | null;
  /** The signal that ended it: SIGKILL after its timeout or when the capture stops. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

// Unlike runCommand from @trunkline/testing, every child is tracked so that a capture that is
// interrupted or fails can kill the clients it left running.
const running = new Set<ChildProcess>();
let stopped = false;

/** Runs a client command to completion, feeding `input` on stdin; killed after `timeoutMs`. */
export function runClient(
  command: readonly [string, ...string[]],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<ClientResult> {
  const [program, ...args] = command;
  if (stopped) return Promise.reject(new Error('the capture is stopping; not starting another client'));
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      running.delete(child);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** Runs a client and throws, with the end of its output, unless it exits 0. */
export async function runClientOk(
  command: readonly [string, ...string[]],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<ClientResult> {
  const result = await runClient(command, options);
  if (result.code !== 0) {
    const output = `${result.stderr}\n${result.stdout}`.trim().split('\n').slice(-8).join('\n');
    throw new Error(
      `${result.signal === null ? `exit ${result.code}` : `killed by ${result.signal}`}:\n${output}`,
    );
  }
  return result;
}

/** Kills every client still running and refuses to start more. */
export function killClients(): void {
  stopped = true;
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}
