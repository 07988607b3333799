/** How the Postgres server process is started. */
export interface ServerOptions {
  dataDir: string;
  port: number;
  /** Where the Unix socket goes; none when omitted (clients connect over TCP). */
  socketDir?: string;
}

/** Arguments of the `postgres` program: 127.0.0.1 only, with logical replication for CDC. */
export function serverArgs({ dataDir, port, socketDir }: ServerOptions): string[] {
  return [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${socketDir ?? ''}`,
    // Logical replication for CDC (pgoutput), with room for many slots (tests use one each).
    '-c',
    'wal_level=logical',
    '-c',
    'max_replication_slots=32',
    '-c',
    'max_wal_senders=32',
  ];
}

/** Postgres's "fast" shutdown: it doesn't wait for clients to disconnect. */
export const POSTGRES_STOP_SIGNAL: NodeJS.Signals = 'SIGINT';
