import type { StoreCapabilities } from '@mpu/core';
import { MAX_OBJECT_NAME_BYTES } from './object-names.js';

/** Where each limit below is stated by Google. */
export const GCS_LIMIT_SOURCES = Object.freeze({
  maxPartSize: 'https://cloud.google.com/storage/quotas#objects (5 TiB per object; mpu caps a part at the S3 limit of 5 GiB)',
  maxAssembleParts:
    'https://cloud.google.com/storage/docs/composite-objects (1–32 sources per compose; composites may be composed again, so a tree handles any count)',
  maxRecordKeyBytes: 'https://cloud.google.com/storage/docs/objects#naming (object names are at most 1024 bytes of UTF-8, no CR/LF)',
});

/** Bytes kept free in every record name for escaping control bytes (0x00–0x0D, one extra byte each). */
export const RESERVED_ESCAPE_BYTES = 64;

/**
 * The part count `assemble` is tested and documented for. The compose tree itself has no
 * bound (10,000 parts = 313 + 10 + 1 composes); S3 allows 10,000 parts per upload.
 */
export const MAX_ASSEMBLE_PARTS = 10_000;

export function gcsCapabilities(prefix: string): StoreCapabilities {
  const overhead = Buffer.byteLength(`${prefix}records/`, 'utf8');
  return Object.freeze({
    name: 'gcs',
    assembly: 'server-copy',
    maxPartSize: 5 * 1024 ** 3,
    maxAssembleParts: MAX_ASSEMBLE_PARTS,
    maxRecordKeyBytes: MAX_OBJECT_NAME_BYTES - overhead - RESERVED_ESCAPE_BYTES,
    shared: true,
    durable: true,
    limitSources: GCS_LIMIT_SOURCES,
  });
}
