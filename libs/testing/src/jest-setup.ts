// Loaded by every project's jest config (see jest.preset.cjs): whatever a test started
// is stopped after its file, and the output of what is still running is printed when a
// test failed (the environment in jest-environment.ts raises the flag).
import { stopAll, tracked } from './cleanup';

type FailureFlag = { __trunklineTestFailed?: boolean };

afterEach(() => {
  const flag = globalThis as FailureFlag;
  if (flag.__trunklineTestFailed !== true) return;
  flag.__trunklineTestFailed = false;
  for (const thing of tracked()) {
    const output = thing.output();
    if (output.length > 0)
      process.stderr.write(`\n--- output of ${thing.description} ---\n${output}--- end ---\n`);
  }
});

afterAll(async () => {
  await stopAll();
});
