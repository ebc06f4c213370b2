import { type BlobStore, withRetry } from '@mpu/core';
import { BACKEND_TYPES, type BackendConfig, ConfigError } from './config.js';

/**
 * Config → BlobStore. Embedders call this too, so "swap backends by configuration" works
 * inside other programs. Each backend package is imported only when it is configured, so a
 * deployment on `fs` never loads the Azure or GCS clients.
 */
export async function createStore(backend: BackendConfig): Promise<BlobStore> {
  switch (backend.type) {
    case 'memory': {
      const { MemoryStore } = await import('@mpu/core');
      return new MemoryStore();
    }
    case 'fs': {
      const { FsStore } = await import('@mpu/fs');
      return FsStore.open({
        root: backend.root,
        ...(backend.fsync === undefined ? {} : { fsync: backend.fsync }),
        ...(backend.reserveBytes === undefined ? {} : { reserveBytes: backend.reserveBytes }),
      });
    }
    case 'level': {
      const { LevelStore } = await import('@mpu/level');
      return LevelStore.open({ location: backend.location });
    }
    case 'azure': {
      const { AzureStore } = await import('@mpu/azure');
      const { connectionString, accountName, accountKey, endpoint, container, prefix, createContainer } = backend;
      // The config schema guarantees one complete credential form.
      const credentials = connectionString !== undefined
        ? { connectionString }
        : { accountName: accountName as string, accountKey: accountKey as string, ...(endpoint === undefined ? {} : { endpoint }) };
      // Shared cloud stores see transient faults (5xx, resets); the engine retries only those.
      return withRetry(await AzureStore.open({
        ...credentials,
        container,
        ...(prefix === undefined ? {} : { prefix }),
        ...(createContainer === undefined ? {} : { createContainer }),
      }));
    }
    case 'gcs': {
      const { GcsStore } = await import('@mpu/gcs');
      const { type: _type, ...options } = backend;
      return withRetry(await GcsStore.open(options));
    }
    default: {
      // Embedders may pass configuration that never went through the schema.
      const type = (backend as { type?: unknown }).type;
      throw new ConfigError(`unknown backend type ${JSON.stringify(type)}; expected one of ${BACKEND_TYPES.join(', ')}`);
    }
  }
}
