import type { Circus } from '@jest/types';
import { TestEnvironment } from 'jest-environment-node';

/** The node environment, plus a global flag the setup file reads to print logs of failed tests. */
export default class TrunklineTestEnvironment extends TestEnvironment {
  handleTestEvent(event: Circus.Event): void {
    if (event.name === 'test_fn_failure' || event.name === 'hook_failure') {
      (this.global as { __trunklineTestFailed?: boolean }).__trunklineTestFailed = true;
    }
  }
}
