#!/usr/bin/env node
// Runs the CLI from its TypeScript sources (tsx compiles on the fly), so `npm ci` is
// the only set-up step. Container images run the bundle `npm run build` makes instead.
require('tsx/cjs');
require('../src/main.ts');
