import { type BlobStore, RecordConditionFailedError } from '../blob-store.js';
import { NoSuchBucketError } from '../errors/s3-errors.js';
import type { Logger } from '../logger.js';
import type { Limits } from '../limits.js';
import { type BucketRecord, decodeRecord, encodeRecord, recordKeys } from './records.js';
import type { ChecksumAlgorithm, Owner } from './types.js';

/** Limits after the store's own capabilities have been taken into account. */
export interface EffectiveLimits extends Limits {
  /** min(limits.maxPartSize, store.capabilities.maxPartSize). */
  readonly maxPartSize: number;
  /** min(limits.maxPutObjectSize, store.capabilities.maxPartSize): a PUT body is one staged part. */
  readonly maxPutObjectSize: number;
  /** min(limits.maxKeyBytes, what fits in the store's record keys). */
  readonly maxKeyBytes: number;
}

/** What every engine operation needs; built once by `MultipartEngine`. */
export interface EngineContext {
  readonly store: BlobStore;
  readonly limits: EffectiveLimits;
  readonly now: () => Date;
  readonly owner: Owner;
  readonly newUploadId: (now: Date) => string;
  /** CRC computed for every part of uploads without an algorithm (object default checksum). */
  readonly defaultChecksum: ChecksumAlgorithm | undefined;
  /** How long completed upload records are kept (ms). */
  readonly tombstoneRetentionMs: number;
  /** How long a `completing` upload may sit before a sweep finishes it (ms). */
  readonly stuckCompletionMs: number;
  /** Leave a completed upload's part records to the sweep that expires its tombstone. */
  readonly deferPartRecordCleanup: boolean;
  readonly logger: Logger;
}

export interface Versioned<T> {
  readonly value: T;
  readonly version: string;
}

export async function readJson<T>(store: BlobStore, key: string): Promise<Versioned<T> | undefined> {
  const record = await store.readRecord(key);
  return record && { value: decodeRecord<T>(record.value), version: record.version };
}

/** Conditional write; returns the new version, or undefined when the condition failed. */
export async function tryWriteJson(
  store: BlobStore,
  key: string,
  value: unknown,
  condition: { ifVersion: string } | { ifAbsent: true } | Record<string, never>,
): Promise<string | undefined> {
  try {
    return await store.writeRecord(key, encodeRecord(value), condition);
  } catch (error) {
    if (error instanceof RecordConditionFailedError) return undefined;
    throw error;
  }
}

/** Conditional delete; false when the condition failed. */
export async function tryDeleteRecord(store: BlobStore, key: string, version: string): Promise<boolean> {
  try {
    await store.deleteRecord(key, { ifVersion: version });
    return true;
  } catch (error) {
    if (error instanceof RecordConditionFailedError) return false;
    throw error;
  }
}

export async function requireBucket(ctx: EngineContext, bucket: string): Promise<Versioned<BucketRecord>> {
  const record = await readJson<BucketRecord>(ctx.store, recordKeys.bucket(bucket));
  if (!record) throw new NoSuchBucketError(bucket);
  return record;
}
