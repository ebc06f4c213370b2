import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { MemoryStore } from '@mpu/core';
import type { BlobStore } from '@mpu/core';
import { AzureStore } from '@mpu/azure';
import { FsStore } from '@mpu/fs';
import { GcsStore } from '@mpu/gcs';
import { LevelStore } from '@mpu/level';
import { GCS_BUCKET, startAzurite, startGcs } from './services.js';

export type BackendName = 'memory' | 'fs' | 'level' | 'azure' | 'gcs';
export const ALL_BACKENDS: readonly BackendName[] = ['memory', 'fs', 'level', 'azure', 'gcs'];

/** A backend under test: the durable store that is measured, plus a faster one for bulk staging. */
export interface BenchBackend {
  readonly name: BackendName;
  /** The store measured operations run on (fs: fsync on, as in production). */
  readonly store: BlobStore;
  /**
   * Runs `fn` on a store that stages faster where the backend allows it (fs: fsync off) and
   * returns to the measured store afterwards. Used only for staging 10,000 tiny parts, which
   * is not what is measured. Other backends run `fn` on `store`.
   */
  withFastStaging<T>(fn: (store: BlobStore) => Promise<T>): Promise<T>;
  /** fs only: the directory holding an upload's part files (the files an assembled object reads). */
  partsDirOf?(uploadId: string): string;
  close(): Promise<void>;
}

class FsBackend implements BenchBackend {
  readonly name = 'fs';
  constructor(public store: FsStore, readonly root: string) {}

  static async open(root: string): Promise<FsBackend> {
    return new FsBackend(await FsStore.open({ root }), root);
  }

  async withFastStaging<T>(fn: (store: BlobStore) => Promise<T>): Promise<T> {
    await this.store.close();
    const fast = await FsStore.open({ root: this.root, fsync: false });
    try {
      return await fn(fast);
    } finally {
      await fast.close();
      this.store = await FsStore.open({ root: this.root });
    }
  }

  // The data directory layout of @mpu/fs: data/x<hex of the upload id>/parts/<one file per part>.
  partsDirOf(uploadId: string): string {
    return join(this.root, 'data', `x${Buffer.from(uploadId, 'utf8').toString('hex')}`, 'parts');
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

function plain(name: BackendName, store: BlobStore, stop: () => Promise<void> = async () => {}): BenchBackend {
  return {
    name,
    store,
    withFastStaging: (fn) => fn(store),
    close: async () => {
      await store.close();
      await stop();
    },
  };
}

/** Opens a fresh backend in `workDir` (starting Azurite or the GCS test server for it). */
export async function openBackend(name: BackendName, workDir: string): Promise<BenchBackend> {
  const dir = join(workDir, name);
  await mkdir(dir, { recursive: true });
  switch (name) {
    case 'memory':
      return plain(name, new MemoryStore());
    case 'fs':
      return FsBackend.open(dir);
    case 'level':
      return plain(name, await LevelStore.open({ location: dir }));
    case 'azure': {
      const azurite = await startAzurite();
      const store = await AzureStore.open({ connectionString: azurite.connectionString, container: 'mpu-bench', createContainer: true });
      return plain(name, store, () => azurite.stop());
    }
    case 'gcs': {
      const server = await startGcs();
      const store = await GcsStore.open({ bucket: GCS_BUCKET, apiEndpoint: server.url });
      return plain(name, store, () => server.close());
    }
  }
}
