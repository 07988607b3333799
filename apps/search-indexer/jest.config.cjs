module.exports = { ...require('../../jest.preset.cjs'), displayName: 'search-indexer' };
