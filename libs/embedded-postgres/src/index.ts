export { binariesPackage, installDirReachableBy, type PostgresProgram, postgresBinary } from './binaries';
export { type DataLocation, dataLocation } from './data-location';
export {
  EmbeddedPostgres,
  type EmbeddedPostgresOptions,
  type RunningPostgres,
} from './embedded-postgres';
export { EmbeddedPostgresError, type EmbeddedPostgresFailure } from './embedded-postgres-error';
export { type InitdbOptions, initdb, POSTGRES_PASSWORD, POSTGRES_SUPERUSER } from './initdb';
export { canTraverse, type OsUser, postgresOsUser } from './os-user';
export { POSTGRES_STOP_SIGNAL, type ServerOptions, serverArgs } from './server-args';
