import type { StoreCapabilities } from '@mpu/core';
import { MAX_RECORD_KEY_BYTES } from './record-names.js';

/** Where each limit below is stated by Google. */
export const GCS_LIMIT_SOURCES = Object.freeze({
  maxPartSize: 'https://cloud.google.com/storage/quotas#objects (5 TiB per object; mpu caps a part at the S3 limit of 5 GiB)',
  maxAssembleParts:
    'https://cloud.google.com/storage/docs/composite-objects (1–32 sources per compose; composites compose again and "there is no limit to the number of components", so a tree handles any count)',
  maxRecordKeyBytes:
    'https://cloud.google.com/storage/docs/objects#naming (names ≤ 1024 bytes, no CR/LF: longer keys are hash-named, the key kept in custom metadata, ≤ 8 KiB per https://cloud.google.com/storage/quotas#objects)',
});

/**
 * The part count `assemble` is tested and documented for. The compose tree itself has no
 * bound (10,000 parts = 313 + 10 + 1 composes); S3 allows 10,000 parts per upload.
 */
export const MAX_ASSEMBLE_PARTS = 10_000;

export function gcsCapabilities(): StoreCapabilities {
  return Object.freeze({
    name: 'gcs',
    assembly: 'server-copy',
    maxPartSize: 5 * 1024 ** 3,
    maxAssembleParts: MAX_ASSEMBLE_PARTS,
    maxRecordKeyBytes: MAX_RECORD_KEY_BYTES,
    shared: true,
    durable: true,
    limitSources: GCS_LIMIT_SOURCES,
  });
}
