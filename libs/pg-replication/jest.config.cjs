module.exports = { ...require('../../jest.preset.cjs'), displayName: 'pg-replication' };
