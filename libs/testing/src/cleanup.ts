/** Something a test started that must be stopped whatever the test's outcome. */
export interface Stoppable {
  readonly description: string;
  stop(): Promise<unknown>;
  /** Output captured so far, printed when the test that started it failed. */
  output(): string;
}

const started = new Set<Stoppable>();

/** Registers a started thing so `stopAll` (run after every test file) stops it. */
export function track<T extends Stoppable>(thing: T): T {
  started.add(thing);
  return thing;
}

export function untrack(thing: Stoppable): void {
  started.delete(thing);
}

export function tracked(): readonly Stoppable[] {
  return [...started];
}

/** Stops everything still running, in reverse start order. */
export async function stopAll(): Promise<void> {
  const things = [...started].reverse();
  started.clear();
  const results = await Promise.allSettled(things.map((thing) => thing.stop()));
  const failures = results.flatMap((r, i) =>
    r.status === 'rejected' ? [`${things[i]!.description}: ${r.reason}`] : [],
  );
  if (failures.length > 0) throw new Error(`could not stop:\n${failures.join('\n')}`);
}
