/**
 * Reads `read` every `intervalMs` until `done` holds, and returns that value; past
 * `timeoutMs` it fails, naming `what` and showing the last value read.
 */
export async function waitUntil<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 30_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      const shown = JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? String(v) : v));
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last read: ${shown?.slice(0, 2000)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
