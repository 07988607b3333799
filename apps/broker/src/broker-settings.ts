import { setting } from '@trunkline/runtime';

/** The broker's own flags (each also TRUNKLINE_<FLAG>), beyond host, ports and logging. */
export const brokerSettings = {
  dataDir: setting.text({
    describe: 'directory of topic logs, offsets and metadata',
    default: '.trunkline/broker',
  }),
  kafkaPort: setting.port({ describe: 'port of the Kafka protocol listener', default: 9092 }),
  advertisedHost: setting.text({
    describe:
      'host Kafka clients are told to connect to (default: --host, or 127.0.0.1 when that is 0.0.0.0)',
  }),
  nodeId: setting.integer({ describe: 'node id reported to clients', default: 1, min: 0, max: 2147483647 }),
  fsync: setting.choice(['always', 'interval', 'never'] as const, {
    describe:
      'when acknowledged data is fsynced: always (before acks=1/all are answered), every --fsync-interval, or never (the OS decides)',
    default: 'always',
  }),
  fsyncInterval: setting.duration({ describe: 'fsync period with --fsync interval', default: 1000 }),
  maxRequestBytes: setting.integer({
    describe: 'largest request accepted; a larger frame closes its connection',
    default: 100 * 1024 * 1024,
    min: 1024,
    max: 2147483647,
  }),
  autoCreateTopics: setting.toggle({
    describe: 'create a topic when a client asks for a missing one',
    default: true,
  }),
  numPartitions: setting.integer({
    describe: 'partitions of auto-created topics',
    default: 1,
    min: 1,
    max: 100000,
  }),
  logRetentionCheckInterval: setting.duration({
    describe: 'how often retention deletes segments past retention.ms or retention.bytes',
    default: 5 * 60_000,
  }),
  logCleanerBackoff: setting.duration({
    describe: 'how long the log cleaner sleeps when no compacted partition needs cleaning',
    default: 15_000,
  }),
  logCleanerDedupeBufferSize: setting.byteSize({
    describe: "memory of the log cleaner's key map (24 bytes per key); a pass stops where it fills",
    default: 32 * 1024 * 1024,
    min: 1024,
  }),
  logCleanerIoMaxBytesPerSecond: setting.byteSize({
    describe: "cap on the log cleaner's reads plus writes per second (0: no cap)",
    default: 0,
  }),
  tierDir: setting.text({
    describe: 'folder the tier offloads closed segments of remote.storage.enable topics to',
  }),
  tierS3Bucket: setting.text({ describe: 'S3 bucket of the tier (instead of --tier-dir)' }),
  tierS3Endpoint: setting.text({ describe: 'S3 endpoint URL of the tier (default: AWS)' }),
  tierS3Region: setting.text({ describe: 'S3 region of the tier', default: 'us-east-1' }),
  tierS3Prefix: setting.text({ describe: 'key prefix of every tier object in the bucket' }),
  tierS3AccessKeyId: setting.text({ describe: 'S3 access key id (default: the AWS credential chain)' }),
  tierS3SecretAccessKey: setting.text({ describe: 'S3 secret access key' }),
  tierUploadInterval: setting.duration({
    describe: 'how often closed segments of tiered topics are uploaded',
    default: 10_000,
  }),
  tierCacheSize: setting.byteSize({
    describe: 'memory for tier reads (chunks fetched from the tier, read ahead)',
    default: 128 * 1024 * 1024,
    min: 1024 * 1024,
  }),
  tierChunkSize: setting.byteSize({
    describe: 'bytes fetched per ranged read from the tier (4 are read ahead)',
    default: 8 * 1024 * 1024,
    min: 64 * 1024,
  }),
  groupInitialRebalanceDelay: setting.duration({
    describe: "how long a new group's first rebalance waits for more members",
    default: 0,
  }),
};
