import { NoSuchUploadError } from '../errors/s3-errors.js';
import { forEachLimit } from './for-each-limit.js';
import { type EngineContext, type Versioned, readJson, tryDeleteRecord, tryWriteJson } from './engine-context.js';
import { abortRuleFor } from './lifecycle.js';
import { type PartRecord, type UploadRecord, decodeRecord, recordKeys } from './records.js';
import type { LifecycleRule, UploadInfo, UploadRef } from './types.js';

/** The upload record, if it exists and is bound to this bucket and key (else undefined). */
export async function readUpload(ctx: EngineContext, ref: UploadRef): Promise<Versioned<UploadRecord> | undefined> {
  if (typeof ref.uploadId !== 'string' || ref.uploadId === '' || ref.uploadId.includes('/')) return undefined;
  const record = await readJson<UploadRecord>(ctx.store, recordKeys.upload(ref.bucket, ref.uploadId));
  if (!record || record.value.key !== ref.key || record.value.bucket !== ref.bucket) return undefined;
  return record;
}

/** The upload, which must be `initiated` (parts may be added): else NoSuchUpload. */
export async function requireInitiatedUpload(ctx: EngineContext, ref: UploadRef): Promise<Versioned<UploadRecord>> {
  const record = await readUpload(ctx, ref);
  if (!record || record.value.state !== 'initiated') throw new NoSuchUploadError(ref.uploadId);
  return record;
}

export function uploadInfo(record: UploadRecord, rules: readonly LifecycleRule[] | undefined): UploadInfo {
  const initiated = new Date(record.initiated);
  const abort = abortRuleFor(rules, record.key, initiated);
  return {
    bucket: record.bucket,
    key: record.key,
    uploadId: record.uploadId,
    initiated,
    storageClass: record.attributes.storageClass,
    owner: record.owner,
    ...(record.checksumAlgorithm ? { checksumAlgorithm: record.checksumAlgorithm } : {}),
    ...(record.checksumType ? { checksumType: record.checksumType } : {}),
    ...(abort ? { abortDate: abort.abortDate, abortRuleId: abort.abortRuleId } : {}),
  };
}

export async function listPartRecords(ctx: EngineContext, uploadId: string): Promise<PartRecord[]> {
  const parts: PartRecord[] = [];
  for await (const record of ctx.store.listRecords(recordKeys.partPrefix(uploadId))) {
    parts.push(decodeRecord<PartRecord>(record.value));
  }
  return parts;
}

/** Record deletes in flight at once: 10,000 sequential round trips to a cloud store would dominate Complete. */
const DELETE_CONCURRENCY = 16;

/** Deletes every part record of an upload. Idempotent. */
export async function deletePartRecords(ctx: EngineContext, uploadId: string): Promise<void> {
  const keys: string[] = [];
  for await (const record of ctx.store.listRecords(recordKeys.partPrefix(uploadId))) keys.push(record.key);
  await forEachLimit(keys, DELETE_CONCURRENCY, (key) => ctx.store.deleteRecord(key));
}

/** Deletes every part record and every staged part no assembled handle uses. Idempotent. */
export async function cleanupUploadParts(ctx: EngineContext, uploadId: string): Promise<void> {
  await deletePartRecords(ctx, uploadId);
  await ctx.store.discard(uploadId);
}

/**
 * initiated → aborted, then frees parts and removes the record. Final: a late UploadPart sees
 * the record gone and cleans up after itself. Returns false when the upload was not
 * `initiated` (unknown, completing or finished): Complete wins a race with Abort once it has
 * frozen its part list.
 */
export async function abortUpload(ctx: EngineContext, ref: UploadRef): Promise<boolean> {
  for (;;) {
    const current = await readUpload(ctx, ref);
    if (!current) return false;
    if (current.value.state === 'aborted') {
      await finishAbort(ctx, current);
      return false;
    }
    if (current.value.state !== 'initiated') return false;
    const aborted: UploadRecord = { ...current.value, state: 'aborted', finished: ctx.now().toISOString() };
    const version = await tryWriteJson(ctx.store, recordKeys.upload(ref.bucket, ref.uploadId), aborted, { ifVersion: current.version });
    if (version === undefined) continue;
    await finishAbort(ctx, { value: aborted, version });
    return true;
  }
}

/** Frees an aborted upload's parts (and its assembled data, if a conflicted Complete left one). */
export async function finishAbort(ctx: EngineContext, upload: Versioned<UploadRecord>): Promise<void> {
  const handle = upload.value.completion?.handle;
  if (handle !== undefined) await ctx.store.deleteData(handle);
  await cleanupUploadParts(ctx, upload.value.uploadId);
  await tryDeleteRecord(ctx.store, recordKeys.upload(upload.value.bucket, upload.value.uploadId), upload.version);
}
