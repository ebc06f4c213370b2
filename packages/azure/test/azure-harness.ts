import { randomBytes } from 'node:crypto';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { inject } from 'vitest';
import { AzureStore, type AzureStoreOptions } from '../src/index.js';

/**
 * Test access to the account chosen by global-setup.ts: Azurite, or a real account when
 * MPU_AZURE_CONNECTION_STRING is set. Each harness owns one fresh container and hands out
 * stores under distinct prefixes, so tests never see each other's blobs.
 */
export interface AzureTestHarness {
  readonly container: ContainerClient;
  readonly connectionString: string;
  /** A store under a fresh prefix (or under `prefix` to share one with another store). */
  open(options?: Partial<Pick<AzureStoreOptions, 'blockSize' | 'transactionalMd5' | 'stageConcurrency' | 'listPageSize'>> & { prefix?: string }): Promise<AzureStore>;
  freshPrefix(): string;
  /** Deletes the container. */
  cleanup(): Promise<void>;
}

export async function azureTestHarness(): Promise<AzureTestHarness> {
  const connectionString = inject('azureConnectionString');
  const name = `mpu-test-${randomBytes(6).toString('hex')}`;
  const container = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(name);
  await container.create();
  let counter = 0;
  const freshPrefix = (): string => `t${++counter}-${randomBytes(3).toString('hex')}/`;
  return {
    container,
    connectionString,
    freshPrefix,
    open: (options = {}) =>
      AzureStore.open({
        connectionString,
        container: name,
        prefix: options.prefix ?? freshPrefix(),
        ...(options.blockSize !== undefined && { blockSize: options.blockSize }),
        ...(options.transactionalMd5 !== undefined && { transactionalMd5: options.transactionalMd5 }),
        ...(options.stageConcurrency !== undefined && { stageConcurrency: options.stageConcurrency }),
        ...(options.listPageSize !== undefined && { listPageSize: options.listPageSize }),
      }),
    cleanup: async () => {
      await container.deleteIfExists();
    },
  };
}

/** Every blob under `prefix`, committed or not (`includeUncommitedBlobs`). */
export async function blobNames(container: ContainerClient, prefix: string): Promise<string[]> {
  const names: string[] = [];
  for await (const item of container.listBlobsFlat({ prefix, includeUncommitedBlobs: true })) names.push(item.name);
  return names;
}

export async function* bytesOf(...chunks: (string | Uint8Array)[]): AsyncIterable<Uint8Array> {
  for (const chunk of chunks) yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}

export async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}
