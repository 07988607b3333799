import { Code, TrunklineError } from '@trunkline/runtime';

const WATCH_INTERVAL_MS = 1000;

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * `status --watch`: a fresh frame every second until Ctrl-C, redrawn in place on a terminal,
 * one JSON object a line with --json. `frame` fetches and renders one; the first failure, or
 * any with --json, ends the watch (the address is wrong); later ones (a restart) are shown
 * and retried.
 */
export async function watchFrames(
  json: boolean,
  frame: (signal: AbortSignal) => Promise<string>,
): Promise<number> {
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  process.once('SIGINT', onInterrupt);
  const tty = process.stdout.isTTY === true;
  let first = true;
  try {
    while (!stop.signal.aborted) {
      let text: string;
      try {
        text = await frame(stop.signal);
      } catch (error) {
        if (stop.signal.aborted) break;
        if (first || !(error instanceof TrunklineError) || json) throw error;
        text = `cannot get the status: ${error.message} (${Code[error.code]}); trying again\n`;
      }
      first = false;
      if (json) process.stdout.write(text);
      else if (tty)
        process.stdout.write(
          `\x1b[H\x1b[2J${text}\nrefreshed ${new Date().toLocaleTimeString()}, Ctrl-C to stop\n`,
        );
      else process.stdout.write(`${text}\n`);
      await sleep(WATCH_INTERVAL_MS, stop.signal);
    }
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
  return 0;
}
