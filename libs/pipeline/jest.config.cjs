module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'pipeline',
  // Its adapter contract runs in each adapter's own tests (apps/search-indexer, ...).
  passWithNoTests: true,
};
