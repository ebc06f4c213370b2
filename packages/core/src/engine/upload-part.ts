import { partEtag } from '../checksums/index.js';
import { EntityTooLargeError, InvalidArgumentError, InvalidRangeError, InvalidRequestError, NoSuchUploadError } from '../errors/s3-errors.js';
import { createPartId } from '../upload-id.js';
import { checkReadConditions } from './conditions.js';
import { type EngineContext, readJson, requireBucket, tryDeleteRecord } from './engine-context.js';
import { type PartRecord, type UploadRecord, encodeRecord, recordKeys } from './records.js';
import { type StagedPayload, stagePayload } from './staged-payload.js';
import type { ChecksumAlgorithm, ChecksumValues, PartInfo, PayloadExpectations, UploadPartCopyInput, UploadPartInput } from './types.js';
import { readUpload, requireInitiatedUpload } from './upload-records.js';
import { readCopySource } from './versioning.js';
import { validateKey, validatePartNumber } from './validation.js';

/** Checksums every part of this upload gets, whatever the client sends. */
function partAlgorithms(ctx: EngineContext, upload: UploadRecord): ChecksumAlgorithm[] {
  if (upload.checksumAlgorithm) return [upload.checksumAlgorithm];
  return ctx.defaultChecksum ? [ctx.defaultChecksum] : [];
}

/**
 * S3-MULTIPART.md §1.2: an upload created with algorithm A needs an A checksum on every part
 * (FULL_OBJECT uploads may omit it); uploads without an algorithm take whatever is sent.
 */
function checkPartChecksumRule(upload: UploadRecord, expect: PayloadExpectations | undefined): void {
  const expected = upload.checksumAlgorithm;
  if (!expected) return;
  const actual = expect?.checksum !== undefined ? expect.checksumAlgorithm : undefined;
  if (actual === expected) return;
  if (actual === undefined && upload.checksumType === 'FULL_OBJECT') return;
  throw new InvalidRequestError(
    `Checksum Type mismatch occurred, expected checksum Type: ${expected.toLowerCase()}, actual checksum Type: ${actual?.toLowerCase() ?? 'null'}`,
  );
}

function pick(checksums: ChecksumValues, algorithms: readonly ChecksumAlgorithm[]): ChecksumValues {
  const out: Partial<Record<ChecksumAlgorithm, string>> = {};
  for (const algorithm of algorithms) {
    const value = checksums[algorithm];
    if (value !== undefined) out[algorithm] = value;
  }
  return out;
}

function partInfo(record: PartRecord): PartInfo {
  return {
    partNumber: record.partNumber,
    etag: partEtag(Buffer.from(record.md5, 'hex')),
    size: record.size,
    lastModified: new Date(record.lastModified),
    checksums: pick(record.checksums, record.reported),
  };
}

/**
 * Makes a verified staged part the current part `partNumber`: the record is overwritten
 * (the body that finishes last wins). Then the upload must still be `initiated`; if Abort or
 * Complete moved it meanwhile, the part is withdrawn and NoSuchUpload returned — unless
 * Complete already froze this very part into the object, in which case it counts.
 */
async function commitPart(
  ctx: EngineContext,
  upload: UploadRecord,
  partNumber: number,
  partId: string,
  staged: StagedPayload,
  reported: readonly ChecksumAlgorithm[],
): Promise<PartInfo> {
  const record: PartRecord = {
    partNumber,
    partId,
    size: staged.size,
    md5: staged.md5.toString('hex'),
    checksums: staged.checksums,
    reported,
    lastModified: ctx.now().toISOString(),
  };
  const partKey = recordKeys.part(upload.uploadId, partNumber);
  await ctx.store.writeRecord(partKey, encodeRecord(record));
  const after = await readUpload(ctx, upload);
  if (after?.value.state === 'initiated') return partInfo(record);
  if (after?.value.completion?.parts.some((part) => part.partId === partId)) return partInfo(record);
  const current = await readJson<PartRecord>(ctx.store, partKey);
  if (current?.value.partId === partId) await tryDeleteRecord(ctx.store, partKey, current.version);
  // A finished upload's data can go whole: on Azure only discarding the upload (deleting its
  // blob) frees uncommitted blocks, which would otherwise linger for a week. While another
  // Complete is still `completing`, its frozen parts are not assembled yet, so only ours goes.
  const finished = after === undefined || after.value.state === 'aborted' || after.value.state === 'completed';
  await (finished ? ctx.store.discard(upload.uploadId) : ctx.store.discard(upload.uploadId, [partId]));
  throw new NoSuchUploadError(upload.uploadId);
}

export async function uploadPart(ctx: EngineContext, input: UploadPartInput): Promise<PartInfo> {
  await requireBucket(ctx, input.bucket);
  validateKey(input.key, ctx.limits);
  const { value: upload } = await requireInitiatedUpload(ctx, input);
  validatePartNumber(input.partNumber, ctx.limits);
  checkPartChecksumRule(upload, input.expect);
  const algorithms = partAlgorithms(ctx, upload);
  const partId = createPartId(input.partNumber);
  const staged = await stagePayload(ctx, {
    upload: upload.uploadId,
    partId,
    body: input.body,
    maxSize: ctx.limits.maxPartSize,
    algorithms,
    ...(input.expect ? { expect: input.expect } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  const reported = new Set<ChecksumAlgorithm>(upload.checksumAlgorithm ? [upload.checksumAlgorithm] : []);
  if (input.expect?.checksumAlgorithm && input.expect.checksum !== undefined) reported.add(input.expect.checksumAlgorithm);
  return commitPart(ctx, upload, input.partNumber, partId, staged, [...reported]);
}

export async function uploadPartCopy(ctx: EngineContext, input: UploadPartCopyInput): Promise<PartInfo> {
  await requireBucket(ctx, input.bucket);
  validateKey(input.key, ctx.limits);
  const { value: upload } = await requireInitiatedUpload(ctx, input);
  validatePartNumber(input.partNumber, ctx.limits);

  const { source } = input;
  // The current version, or the one `x-amz-copy-source` `?versionId=` names (versioning.ts).
  const object = { value: await readCopySource(ctx, source) };
  checkReadConditions(
    input.sourceConditions,
    { etag: object.value.etag, lastModified: new Date(object.value.lastModified) },
    { notModifiedFails: true, prefix: 'x-amz-copy-source-' },
  );
  const size = object.value.size;
  const range = source.range;
  if (range) {
    if (!Number.isSafeInteger(range.start) || !Number.isSafeInteger(range.end) || range.start < 0 || range.end < range.start) {
      throw new InvalidArgumentError(
        'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
        'x-amz-copy-source-range',
        `bytes=${range.start}-${range.end}`,
      );
    }
    if (range.end >= size) throw new InvalidRangeError(`bytes=${range.start}-${range.end}`, size);
  }
  const copySize = range ? range.end - range.start + 1 : size;
  if (copySize > ctx.limits.maxPartSize) throw new EntityTooLargeError(copySize, ctx.limits.maxPartSize);

  const algorithms = partAlgorithms(ctx, upload);
  const partId = createPartId(input.partNumber);
  const staged = await stagePayload(ctx, {
    upload: upload.uploadId,
    partId,
    body: range ? ctx.store.read(object.value.handle, range) : ctx.store.read(object.value.handle),
    expect: { contentLength: copySize },
    maxSize: ctx.limits.maxPartSize,
    algorithms,
  });
  return commitPart(ctx, upload, input.partNumber, partId, staged, upload.checksumAlgorithm ? [upload.checksumAlgorithm] : []);
}
