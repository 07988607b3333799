// Shared by every project's jest.config.cjs. Unit tests are `*.test.ts`, tests that start
// engines or processes are `*.it.test.ts`; both sit beside the code they test.
/** @type {import('jest').Config} */
module.exports = {
  testMatch: ['<rootDir>/src/**/*.test.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
  },
  testEnvironment: require.resolve('./libs/testing/src/jest-environment.ts'),
  setupFilesAfterEnv: [require.resolve('./libs/testing/src/jest-setup.ts')],
  testTimeout: 30_000,
};
