import {
  compositeChecksum, decodeChecksum, fullObjectChecksum, multipartEtag, normalizeEtag, partEtag,
} from '../checksums/index.js';
import {
  BadDigestError, ConditionalRequestConflictError, EntityTooLargeError, EntityTooSmallError, InvalidPartError, InvalidPartOrderError,
  InvalidRequestError, MalformedXMLError, NoSuchUploadError,
} from '../errors/s3-errors.js';
import { S3Error } from '../errors/s3-error.js';
import { checkWriteConditions } from './conditions.js';
import { type EngineContext, type Versioned, readJson, requireBucket, tryWriteJson } from './engine-context.js';
import { publishCompletedObject } from './publish-object.js';
import {
  type CompletionPlan, type FrozenPart, type ObjectRecord, type PartRecord, type UploadRecord, recordKeys,
} from './records.js';
import { newVersion } from './object-versions.js';
import type {
  ChecksumAlgorithm, CompleteMultipartUploadInput, CompleteMultipartUploadResult, CompletedPartInput,
  ObjectChecksum, VersioningStatus,
} from './types.js';
import { cleanupUploadParts, finishAbort, listPartRecords, readUpload } from './upload-records.js';
import { validateKey } from './validation.js';

function resultOf(upload: UploadRecord): CompleteMultipartUploadResult {
  const plan = upload.completion!;
  return {
    bucket: upload.bucket,
    key: upload.key,
    etag: plan.etag,
    size: plan.size,
    ...(plan.checksum ? { checksum: plan.checksum } : {}),
    ...(plan.versionId !== undefined ? { versionId: plan.versionId } : {}),
  };
}

/** §3.3: non-decreasing numbers (the last entry of a repeated number wins); 1..n exactly with a checksum algorithm. */
function orderedParts(upload: UploadRecord, parts: readonly CompletedPartInput[]): CompletedPartInput[] {
  const strict = upload.checksumAlgorithm !== undefined;
  let previous = 0;
  parts.forEach((part, index) => {
    const outOfOrder = strict ? part.partNumber !== index + 1 : part.partNumber < previous;
    if (outOfOrder) {
      throw new InvalidPartOrderError(
        { uploadId: upload.uploadId, partNumber: part.partNumber, etag: part.etag },
        strict && part.partNumber >= previous
          ? 'Parts must be numbered consecutively from 1 when the upload uses a checksum algorithm.'
          : undefined,
      );
    }
    previous = part.partNumber;
  });
  const last = new Map<number, CompletedPartInput>();
  for (const part of parts) last.set(part.partNumber, part);
  return [...last.values()];
}

function sameChecksum(algorithm: ChecksumAlgorithm, a: string, b: string | undefined): boolean {
  if (b === undefined) return false;
  const rawA = decodeChecksum(algorithm, a);
  const rawB = decodeChecksum(algorithm, b);
  return rawA !== undefined && rawB !== undefined && rawA.equals(rawB);
}

function raw(algorithm: ChecksumAlgorithm, value: string): Buffer {
  const decoded = decodeChecksum(algorithm, value);
  if (!decoded) throw new Error(`stored ${algorithm} checksum ${JSON.stringify(value)} is not valid`);
  return decoded;
}

/** The object checksum (§4.2, §4.3): composite or combined, never by re-reading data. */
function objectChecksum(ctx: EngineContext, upload: UploadRecord, parts: readonly FrozenPart[]): ObjectChecksum | undefined {
  const algorithm = upload.checksumAlgorithm ?? ctx.defaultChecksum;
  if (!algorithm || !parts.every((part) => part.checksums[algorithm] !== undefined)) return undefined;
  const type = upload.checksumAlgorithm ? upload.checksumType ?? 'COMPOSITE' : 'FULL_OBJECT';
  if (type === 'COMPOSITE') {
    return { algorithm, type, value: compositeChecksum(algorithm, parts.map((part) => raw(algorithm, part.checksums[algorithm]!))) };
  }
  if (algorithm !== 'CRC32' && algorithm !== 'CRC32C' && algorithm !== 'CRC64NVME') return undefined;
  const value = fullObjectChecksum(algorithm, parts.map((part) => ({ checksum: raw(algorithm, part.checksums[algorithm]!), size: part.size })));
  return { algorithm, type, value };
}

/** Whole-object x-amz-checksum-<alg> and x-amz-checksum-type headers of Complete (§1.4, §4.4). */
function checkWholeObjectChecksum(
  input: CompleteMultipartUploadInput,
  checksum: ObjectChecksum | undefined,
  partCount: number,
): void {
  if (input.checksumType !== undefined && input.checksumType !== checksum?.type) {
    throw new BadDigestError(`The checksum type ${input.checksumType} does not match the upload's checksum type ${checksum?.type ?? 'none'}.`);
  }
  if (!input.checksum) return;
  const { algorithm, value } = input.checksum;
  if (!checksum || checksum.algorithm !== algorithm) {
    throw new InvalidRequestError(`The upload was not created with the ${algorithm} checksum algorithm.`);
  }
  if (checksum.type === 'COMPOSITE') {
    const [given, suffix] = value.split('-', 2);
    const [computed] = checksum.value.split('-', 1);
    if (suffix !== undefined && suffix !== String(partCount)) throw BadDigestError.checksum(algorithm);
    if (given !== computed) throw BadDigestError.checksum(algorithm);
  } else if (value !== checksum.value) {
    throw BadDigestError.checksum(algorithm);
  }
}

/** Validation in S3's order after the upload was found (§1.4): order, parts, checksums, sizes, totals. */
async function planCompletion(
  ctx: EngineContext,
  upload: UploadRecord,
  input: CompleteMultipartUploadInput,
  current: Versioned<ObjectRecord> | undefined,
): Promise<CompletionPlan> {
  const listed = orderedParts(upload, input.parts);
  const stored = new Map<number, PartRecord>();
  for (const part of await listPartRecords(ctx, upload.uploadId)) stored.set(part.partNumber, part);

  const records = listed.map((part) => {
    const record = stored.get(part.partNumber);
    if (!record || normalizeEtag(part.etag) !== record.md5) {
      throw new InvalidPartError({ uploadId: upload.uploadId, partNumber: part.partNumber, etag: part.etag });
    }
    return record;
  });

  const algorithm = upload.checksumAlgorithm;
  if (algorithm) {
    listed.forEach((part, index) => {
      const given = part.checksums?.[algorithm];
      if (given === undefined) {
        if (upload.checksumType === 'FULL_OBJECT') return;
        throw new InvalidRequestError(
          `The upload was created using a ${algorithm.toLowerCase()} checksum. The complete request must include the checksum for each part. It was missing for part ${part.partNumber} in the request.`,
        );
      }
      if (!sameChecksum(algorithm, given, records[index]!.checksums[algorithm])) {
        throw new InvalidPartError({ uploadId: upload.uploadId, partNumber: part.partNumber, etag: part.etag });
      }
    });
  }

  records.forEach((record, index) => {
    if (index < records.length - 1 && record.size < ctx.limits.minPartSize) {
      throw new EntityTooSmallError({
        proposedSize: record.size,
        minSizeAllowed: ctx.limits.minPartSize,
        partNumber: record.partNumber,
        etag: partEtag(Buffer.from(record.md5, 'hex')),
      });
    }
  });

  const parts: FrozenPart[] = records.map(({ partNumber, partId, size, md5, checksums }) => ({ partNumber, partId, size, md5, checksums }));
  const size = parts.reduce((sum, part) => sum + part.size, 0);
  const checksum = objectChecksum(ctx, upload, parts);
  checkWholeObjectChecksum(input, checksum, parts.length);
  if (input.objectSize !== undefined && input.objectSize !== size) {
    throw new InvalidRequestError(`The provided 'x-amz-mp-object-size' header value ${input.objectSize} does not match the size of the object, ${size}.`);
  }
  if (size > ctx.limits.maxObjectSize) throw new EntityTooLargeError(size, ctx.limits.maxObjectSize);
  if (parts.length > ctx.store.capabilities.maxAssembleParts) {
    throw new InvalidRequestError(`This store assembles at most ${ctx.store.capabilities.maxAssembleParts} parts.`);
  }

  return {
    parts,
    etag: multipartEtag(parts.map((part) => Buffer.from(part.md5, 'hex'))),
    size,
    ...(checksum ? { checksum } : {}),
    ...(input.conditions ? { conditions: input.conditions } : {}),
    replacesVersion: current?.version ?? null,
    lastModified: ctx.now().toISOString(),
  };
}

/** The version the object will be, frozen with the plan so every completer publishes the same one. */
function withVersion(ctx: EngineContext, plan: CompletionPlan, versioning: VersioningStatus | undefined): CompletionPlan {
  const stamp = newVersion(ctx, versioning);
  return versioning === undefined ? plan : { ...plan, versioning, ...stamp };
}

/**
 * CompleteMultipartUpload (S3-MULTIPART.md §1.4, §3, §4.4, §10).
 *
 * Validate, then freeze: `initiated → completing` stores the plan (parts with partIds, ETag,
 * checksum, conditions, the object version validated against). From there any caller —
 * this one, a concurrent Complete, or a retry after a crash — drives the same plan to the
 * end: assemble, record the handle, publish the object record by CAS, mark `completed`,
 * clean up. Every step is idempotent, so the result is the same whoever finishes it.
 */
export async function completeMultipartUpload(ctx: EngineContext, input: CompleteMultipartUploadInput): Promise<CompleteMultipartUploadResult> {
  const bucket = await requireBucket(ctx, input.bucket);
  validateKey(input.key, ctx.limits);
  if (!Array.isArray(input.parts) || input.parts.length === 0
    || input.parts.some((part) => typeof part.partNumber !== 'number' || typeof part.etag !== 'string')) {
    throw new MalformedXMLError();
  }
  const upload = await readUpload(ctx, input);
  // A retried Complete replays the first one's result, whatever it sends (§10), and finishes
  // any cleanup a crash interrupted (idempotent; usually finds nothing).
  if (upload?.value.state === 'completed') {
    await cleanupAfterCompletion(ctx, upload.value.uploadId);
    return resultOf(upload.value);
  }
  if (upload?.value.state === 'completing') return finishCompletion(ctx, upload);

  // Preconditions before the upload is touched: a 412 leaves it intact and `initiated`.
  const current = await readJson<ObjectRecord>(ctx.store, recordKeys.object(input.bucket, input.key));
  let plan: CompletionPlan;
  try {
    checkWriteConditions(input.conditions, input.key, current?.value);
    if (!upload || upload.value.state !== 'initiated') throw new NoSuchUploadError(input.uploadId);
    plan = withVersion(ctx, await planCompletion(ctx, upload.value, input, current), bucket.value.versioning);
  } catch (error) {
    // Validation ran against a moving target if a concurrent Complete or Abort finished the
    // upload meanwhile (its part records vanish, its object appears): answer for that outcome.
    if (!(error instanceof S3Error) || !upload) throw error;
    const latest = await readUpload(ctx, input);
    if (latest?.value.state === 'completed') return completeMultipartUpload(ctx, input);
    if (latest?.value.state === 'completing') return finishCompletion(ctx, latest);
    if (!latest || latest.value.state === 'aborted') throw new NoSuchUploadError(input.uploadId);
    throw error;
  }
  const completing: UploadRecord = { ...upload.value, state: 'completing', completion: plan };
  const version = await tryWriteJson(ctx.store, recordKeys.upload(input.bucket, input.uploadId), completing, { ifVersion: upload.version });
  if (version === undefined) {
    // Another Complete froze first (join it) or an Abort won (NoSuchUpload).
    const latest = await readUpload(ctx, input);
    if (!latest) throw new NoSuchUploadError(input.uploadId);
    return finishCompletion(ctx, latest);
  }
  return finishCompletion(ctx, { value: completing, version });
}

/**
 * Frees what a completed upload no longer needs: staged bytes no assembled handle uses, and
 * (unless deferred to the tombstone sweep) the part records — one delete per part, which on
 * fs/level dominates the Complete of a 10,000-part upload.
 */
async function cleanupAfterCompletion(ctx: EngineContext, uploadId: string): Promise<void> {
  if (ctx.deferPartRecordCleanup) await ctx.store.discard(uploadId);
  else await cleanupUploadParts(ctx, uploadId);
}

/** Drives a frozen (`completing`) upload to `completed`; safe to run concurrently with other completers. */
export async function finishCompletion(ctx: EngineContext, start: Versioned<UploadRecord>): Promise<CompleteMultipartUploadResult> {
  let current = start;
  const reread = async (): Promise<Versioned<UploadRecord>> => {
    const latest = await readUpload(ctx, current.value);
    if (!latest) throw new NoSuchUploadError(current.value.uploadId);
    return latest;
  };
  for (;;) {
    const upload = current.value;
    const plan = upload.completion;
    if (upload.state === 'completed' && plan) return resultOf(upload);
    if (upload.state !== 'completing' || !plan) throw new NoSuchUploadError(upload.uploadId);
    const uploadKey = recordKeys.upload(upload.bucket, upload.uploadId);

    if (plan.handle === undefined) {
      const handle = await ctx.store.assemble(upload.uploadId, plan.parts.map(({ partId, size }) => ({ partId, size })));
      const next: UploadRecord = { ...upload, completion: { ...plan, handle } };
      const version = await tryWriteJson(ctx.store, uploadKey, next, { ifVersion: current.version });
      if (version !== undefined) {
        current = { value: next, version };
        continue;
      }
      // A concurrent completer recorded its handle first: use that one, drop ours if distinct.
      const latest = await reread();
      const theirs = latest.value.completion?.handle;
      if (theirs !== undefined && theirs !== handle) await ctx.store.deleteData(handle);
      current = latest;
      continue;
    }

    const object: ObjectRecord & { uploadId: string } = {
      bucket: upload.bucket,
      key: upload.key,
      handle: plan.handle,
      size: plan.size,
      etag: plan.etag,
      lastModified: plan.lastModified,
      attributes: upload.attributes,
      ...(plan.checksum ? { checksum: plan.checksum } : {}),
      parts: plan.parts.map(({ partNumber, size, md5, checksums }) => ({ partNumber, size, md5, checksums })),
      uploadId: upload.uploadId,
      ...(plan.versionId !== undefined ? { versionId: plan.versionId } : {}),
      ...(plan.versionOrder !== undefined ? { versionOrder: plan.versionOrder } : {}),
      owner: upload.objectOwner ?? upload.owner,
      ...(upload.acl ? { acl: upload.acl } : {}),
    };
    let outcome;
    try {
      outcome = await publishCompletedObject(ctx, object, plan.replacesVersion, plan.conditions, plan.versioning);
    } catch (error) {
      if (!(error instanceof ConditionalRequestConflictError)) throw error;
      // A conditional Complete lost its race after freezing: AWS requires a new upload (§10),
      // so this one is aborted and its data freed.
      const aborted: UploadRecord = { ...upload, state: 'aborted', finished: ctx.now().toISOString() };
      const version = await tryWriteJson(ctx.store, uploadKey, aborted, { ifVersion: current.version });
      if (version === undefined) {
        current = await reread();
        continue;
      }
      await finishAbort(ctx, { value: aborted, version });
      throw error;
    }
    // `retained` (versioning): the superseded object stays as a non-current version.
    if (outcome === 'superseded') await ctx.store.deleteData(plan.handle);

    const completed: UploadRecord = { ...upload, state: 'completed', finished: ctx.now().toISOString() };
    const version = await tryWriteJson(ctx.store, uploadKey, completed, { ifVersion: current.version });
    if (version === undefined) {
      current = await reread();
      continue;
    }
    await cleanupAfterCompletion(ctx, upload.uploadId);
    return resultOf(completed);
  }
}
