// Prints which reference engines run right now (name, pid, start time), one per line.
// nx hashes this output into the inputs of `test`, so a cached test result is replayed
// only while the same engines run: a test that skipped for want of an engine reruns once
// the engine is started, and one that used an engine reruns once it stopped.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const home = process.env.TRUNKLINE_ENGINES_DIR ?? join(import.meta.dirname, '..', '.engines');
const runRoot = process.env.TRUNKLINE_ENGINES_RUN_DIR ?? join(home, 'run');

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

if (existsSync(runRoot)) {
  for (const name of readdirSync(runRoot).sort()) {
    const file = join(runRoot, name, 'state.json');
    if (!existsSync(file)) continue;
    const state = JSON.parse(readFileSync(file, 'utf8'));
    if (alive(state.pid)) console.log(`${name} ${state.pid} ${state.startedAt}`);
  }
}
