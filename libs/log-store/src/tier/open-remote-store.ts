import { FolderRemoteStore } from './folder-remote-store';
import type { RemoteStore } from './remote-store';
import { S3RemoteStore, type S3RemoteStoreOptions } from './s3-remote-store';

/** Where a tier lives: a directory (local or mounted), or an S3 bucket. */
export type RemoteStoreConfig = { kind: 'folder'; dir: string } | ({ kind: 's3' } & S3RemoteStoreOptions);

/** Opens the RemoteStore that `config` describes (a folder is created when missing). */
export async function openRemoteStore(config: RemoteStoreConfig): Promise<RemoteStore> {
  switch (config.kind) {
    case 'folder':
      return await FolderRemoteStore.open(config.dir);
    case 's3': {
      const { kind: _kind, ...options } = config;
      return new S3RemoteStore(options);
    }
  }
}
