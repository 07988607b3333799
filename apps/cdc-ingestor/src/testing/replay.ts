import type { ReadChange } from './change-reader';

/**
 * The state a consumer that applies every change in order ends up with, for tables of
 * (id, value, label): each id's row as `value:label`, deleted ids gone.
 */
export function replayItems(changes: readonly ReadChange[]): Map<number, string> {
  const state = new Map<number, string>();
  for (const change of changes) {
    const id = Number(change.key?.id);
    if (change.value === null || change.value.op === 'd') state.delete(id);
    else if (change.value.after)
      state.set(id, `${Number(change.value.after.value)}:${change.value.after.label}`);
  }
  return state;
}
