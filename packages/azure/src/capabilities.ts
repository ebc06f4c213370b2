import type { StoreCapabilities } from '@mpu/core';
import { MAX_BLOCKS_PER_BLOB } from './data-blobs.js';

/** Microsoft's pages stating each limit the capabilities derive from. */
export const AZURE_LIMIT_SOURCES = Object.freeze({
  maxPartSize: 'https://learn.microsoft.com/rest/api/storageservices/put-block#remarks',
  maxAssembleParts: 'https://learn.microsoft.com/rest/api/storageservices/put-block-list#remarks',
  maxRecordKeyBytes:
    'https://learn.microsoft.com/rest/api/storageservices/naming-and-referencing-containers--blobs--and-metadata#blob-names',
  scalabilityTargets: 'https://learn.microsoft.com/azure/storage/blobs/scalability-targets',
});

/**
 * Capabilities of one configured store. A part becomes ⌈size / blockSize⌉ blocks and a blob
 * commits at most 50,000 blocks, so:
 * - `maxPartSize` = 50,000 × blockSize (the part alone fills the blob);
 * - `maxAssembleParts` = 50,000 (reached only when every part fits in one block); the real
 *   bound is on blocks, which `assemble` checks (`TooManyBlocksError`).
 */
export function azureCapabilities(blockSize: number, maxRecordKeyBytes: number): StoreCapabilities {
  return Object.freeze({
    name: 'azure',
    assembly: 'zero-copy',
    maxPartSize: blockSize * MAX_BLOCKS_PER_BLOB,
    maxAssembleParts: MAX_BLOCKS_PER_BLOB,
    maxRecordKeyBytes,
    shared: true,
    durable: true,
    limitSources: AZURE_LIMIT_SOURCES,
  });
}
