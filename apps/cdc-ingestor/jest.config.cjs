module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'cdc-ingestor',
  // After every test passed, a kafkajs consumer of the change readers can leave a timer that
  // keeps the worker alive for minutes; the results are in by then, so exit.
  forceExit: true,
};
