module.exports = { ...require('../../jest.preset.cjs'), displayName: 'schema-registry' };
