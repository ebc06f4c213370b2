import { S3Error } from '../errors/s3-error.js';
import { InvalidArgumentError, NoSuchUploadError } from '../errors/s3-errors.js';
import { newObjectAccess } from './access-control.js';
import { finishCompletion } from './complete-multipart-upload.js';
import { type EngineContext, requireBucket, tryDeleteRecord, tryWriteJson } from './engine-context.js';
import { commonPrefixOf, compareKeys } from './key-order.js';
import { abortRuleFor } from './lifecycle.js';
import { type BucketRecord, type PartRecord, type UploadRecord, decodeRecord, recordKeys } from './records.js';
import type {
  CreateMultipartUploadInput, ListMultipartUploadsInput, ListMultipartUploadsResult, ListPartsInput,
  ListPartsResult, PartInfo, UploadInfo, UploadRef,
} from './types.js';
import { normalizeObjectTagging } from './tagging.js';
import { abortUpload, cleanupUploadParts, finishAbort, readUpload, uploadInfo } from './upload-records.js';
import { partEtag } from '../checksums/index.js';
import {
  resolveMarker, resolvePageSize, resolveUploadChecksum, validateKey, validateMetadata, validateStorageClass,
} from './validation.js';

export async function createMultipartUpload(ctx: EngineContext, input: CreateMultipartUploadInput): Promise<UploadInfo> {
  const bucket = await requireBucket(ctx, input.bucket);
  validateKey(input.key, ctx.limits);
  validateMetadata(input.metadata, ctx.limits);
  const storageClass = validateStorageClass(input.storageClass);
  const checksum = resolveUploadChecksum(input.checksumAlgorithm, input.checksumType);
  const tagging = normalizeObjectTagging(input.tagging);
  // Ownership and grants are settled now, so a Complete cannot fail on them.
  const access = newObjectAccess(ctx, bucket.value, input.owner, input.acl);
  const initiated = ctx.now();
  for (;;) {
    const uploadId = ctx.newUploadId(initiated);
    if (typeof uploadId !== 'string' || uploadId === '' || uploadId.includes('/')) {
      // Record keys embed the id: a `/` would make the upload unreachable by its own id.
      throw new TypeError(`idGenerator returned an unusable upload id ${JSON.stringify(uploadId)}`);
    }
    const record: UploadRecord = {
      bucket: input.bucket,
      key: input.key,
      uploadId,
      initiated: initiated.toISOString(),
      state: 'initiated',
      attributes: {
        metadata: { ...(input.metadata ?? {}) },
        storageClass,
        ...(input.contentType !== undefined ? { contentType: input.contentType } : {}),
        ...(input.cacheControl !== undefined ? { cacheControl: input.cacheControl } : {}),
        ...(input.contentDisposition !== undefined ? { contentDisposition: input.contentDisposition } : {}),
        ...(input.contentEncoding !== undefined ? { contentEncoding: input.contentEncoding } : {}),
        ...(input.contentLanguage !== undefined ? { contentLanguage: input.contentLanguage } : {}),
        ...(input.expires !== undefined ? { expires: input.expires } : {}),
        ...(tagging !== undefined ? { tagging } : {}),
      },
      ...(checksum.algorithm ? { checksumAlgorithm: checksum.algorithm } : {}),
      ...(checksum.type ? { checksumType: checksum.type } : {}),
      owner: input.owner ?? ctx.owner,
      ...(access.acl ? { acl: access.acl } : {}),
      ...(access.owner.id !== (input.owner ?? ctx.owner).id ? { objectOwner: access.owner } : {}),
    };
    // ifAbsent: a colliding id (only possible with a custom idGenerator) gets a fresh one.
    const written = await tryWriteJson(ctx.store, recordKeys.upload(input.bucket, uploadId), record, { ifAbsent: true });
    if (written !== undefined) return uploadInfo(record, bucket.value.lifecycle);
  }
}

export async function abortMultipartUpload(ctx: EngineContext, ref: UploadRef): Promise<void> {
  await requireBucket(ctx, ref.bucket);
  validateKey(ref.key, ctx.limits);
  if (!(await abortUpload(ctx, ref))) throw new NoSuchUploadError(ref.uploadId);
}

function partInfo(record: PartRecord): PartInfo {
  const checksums: Record<string, string> = {};
  for (const algorithm of record.reported) {
    const value = record.checksums[algorithm];
    if (value !== undefined) checksums[algorithm] = value;
  }
  return {
    partNumber: record.partNumber,
    etag: partEtag(Buffer.from(record.md5, 'hex')),
    size: record.size,
    lastModified: new Date(record.lastModified),
    checksums,
  };
}

/** S3-MULTIPART.md §6.1: parts with number > marker, in number order, each its current bytes. */
export async function listParts(ctx: EngineContext, input: ListPartsInput): Promise<ListPartsResult> {
  const bucket = await requireBucket(ctx, input.bucket);
  validateKey(input.key, ctx.limits);
  const upload = await readUpload(ctx, input);
  if (!upload || (upload.value.state !== 'initiated' && upload.value.state !== 'completing')) {
    throw new NoSuchUploadError(input.uploadId);
  }
  const maxParts = resolvePageSize(input.maxParts, 'max-parts', ctx.limits);
  const marker = resolveMarker(input.partNumberMarker, 'part-number-marker');
  const parts: PartInfo[] = [];
  let isTruncated = false;
  if (marker < 99_999) {
    const options = { limit: maxParts + 1, ...(marker > 0 ? { startAfter: recordKeys.part(input.uploadId, marker) } : {}) };
    for await (const record of ctx.store.listRecords(recordKeys.partPrefix(input.uploadId), options)) {
      if (parts.length === maxParts) {
        isTruncated = true;
        break;
      }
      parts.push(partInfo(decodeRecord<PartRecord>(record.value)));
    }
  }
  return {
    upload: uploadInfo(upload.value, bucket.value.lifecycle),
    parts,
    partNumberMarker: marker,
    nextPartNumberMarker: parts.at(-1)?.partNumber ?? 0,
    maxParts,
    isTruncated,
  };
}

async function bucketUploads(ctx: EngineContext, bucket: string): Promise<UploadRecord[]> {
  const uploads: UploadRecord[] = [];
  for await (const record of ctx.store.listRecords(recordKeys.uploadPrefix(bucket))) {
    uploads.push(decodeRecord<UploadRecord>(record.value));
  }
  return uploads;
}

/**
 * S3-MULTIPART.md §6.2. Upload records are keyed by id (so every part operation finds its
 * upload with one read); this listing reads the bucket's upload records and orders them by
 * key bytes, then id — ids are time-prefixed, so that is initiation order.
 */
export async function listMultipartUploads(ctx: EngineContext, input: ListMultipartUploadsInput): Promise<ListMultipartUploadsResult> {
  const bucket = await requireBucket(ctx, input.bucket);
  const maxUploads = resolvePageSize(input.maxUploads, 'max-uploads', ctx.limits);
  const prefix = input.prefix ?? '';
  const { delimiter, keyMarker } = input;
  const uploadIdMarker = keyMarker !== undefined && keyMarker !== '' ? input.uploadIdMarker || undefined : undefined;
  const all = await bucketUploads(ctx, input.bucket);
  if (uploadIdMarker !== undefined && !all.some((upload) => upload.uploadId === uploadIdMarker && upload.key === keyMarker)) {
    throw new InvalidArgumentError('Invalid uploadId marker', 'upload-id-marker', uploadIdMarker);
  }
  const candidates = all
    .filter((upload) => (upload.state === 'initiated' || upload.state === 'completing') && upload.key.startsWith(prefix))
    .filter((upload) => {
      if (keyMarker === undefined || keyMarker === '') return true;
      const order = compareKeys(upload.key, keyMarker);
      return order > 0 || (order === 0 && uploadIdMarker !== undefined && upload.uploadId > uploadIdMarker);
    })
    .sort((a, b) => compareKeys(a.key, b.key) || (a.uploadId < b.uploadId ? -1 : a.uploadId > b.uploadId ? 1 : 0));

  const uploads: UploadInfo[] = [];
  const commonPrefixes: string[] = [];
  let isTruncated = false;
  let last: { key: string; uploadId?: string } | undefined;
  for (const upload of candidates) {
    const commonPrefix = commonPrefixOf(upload.key, prefix, delimiter);
    if (commonPrefix !== undefined) {
      if (commonPrefix === last?.key && last.uploadId === undefined) continue;
      if (keyMarker !== undefined && keyMarker !== '' && compareKeys(commonPrefix, keyMarker) <= 0) continue;
    }
    if (uploads.length + commonPrefixes.length === maxUploads) {
      isTruncated = true;
      break;
    }
    if (commonPrefix !== undefined) {
      commonPrefixes.push(commonPrefix);
      last = { key: commonPrefix };
    } else {
      uploads.push(uploadInfo(upload, bucket.value.lifecycle));
      last = { key: upload.key, uploadId: upload.uploadId };
    }
  }
  return {
    uploads,
    commonPrefixes,
    isTruncated,
    ...(isTruncated && last ? { nextKeyMarker: last.key } : {}),
    ...(isTruncated && last?.uploadId !== undefined ? { nextUploadIdMarker: last.uploadId } : {}),
    maxUploads,
  };
}

/**
 * Walks every bucket's upload records: aborts the in-progress uploads `shouldAbort` selects,
 * finishes aborts and Completes a crash interrupted, and drops completion tombstones older
 * than the retention. Returns how many uploads it aborted.
 */
async function sweepUploads(
  ctx: EngineContext,
  now: Date,
  shouldAbort: (upload: UploadRecord, bucket: BucketRecord) => boolean,
): Promise<number> {
  let aborted = 0;
  const buckets: BucketRecord[] = [];
  for await (const record of ctx.store.listRecords(recordKeys.bucketPrefix)) buckets.push(decodeRecord<BucketRecord>(record.value));
  for (const bucket of buckets) {
    const records: { key: string; version: string; value: UploadRecord }[] = [];
    for await (const record of ctx.store.listRecords(recordKeys.uploadPrefix(bucket.name))) {
      records.push({ key: record.key, version: record.version, value: decodeRecord<UploadRecord>(record.value) });
    }
    for (const record of records) {
      const upload = record.value;
      if (upload.state === 'initiated' && shouldAbort(upload, bucket)) {
        if (await abortUpload(ctx, upload)) aborted++;
      } else if (upload.state === 'aborted') {
        await finishAbort(ctx, record);
      } else if (upload.state === 'completing' && upload.completion
        && now.getTime() - Date.parse(upload.completion.lastModified) >= ctx.stuckCompletionMs) {
        // A Complete that crashed and was never retried: finish it (a conflicted conditional
        // Complete aborts itself, which is what its caller was told to expect).
        await finishCompletion(ctx, record).catch((error: unknown) => {
          if (!(error instanceof S3Error)) throw error;
        });
      } else if (upload.state === 'completed') {
        const finished = Date.parse(upload.finished ?? upload.initiated);
        if (now.getTime() - finished >= ctx.tombstoneRetentionMs) {
          await cleanupUploadParts(ctx, upload.uploadId);
          await tryDeleteRecord(ctx.store, record.key, record.version);
        }
      }
    }
  }
  return aborted;
}

export async function expireIncompleteUploads(ctx: EngineContext, olderThan: Date): Promise<number> {
  return sweepUploads(ctx, ctx.now(), (upload) => Date.parse(upload.initiated) < olderThan.getTime());
}

export async function applyLifecycle(ctx: EngineContext, now: Date = ctx.now()): Promise<number> {
  return sweepUploads(ctx, now, (upload, bucket) => {
    const rule = abortRuleFor(bucket.lifecycle, upload.key, new Date(upload.initiated));
    return rule !== undefined && rule.abortDate.getTime() <= now.getTime();
  });
}
