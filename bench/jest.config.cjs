module.exports = {
  ...require('../jest.preset.cjs'),
  displayName: 'bench',
  testMatch: ['<rootDir>/**/*.test.ts'],
};
