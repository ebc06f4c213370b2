import type { ByteRange, DataHandle } from '../blob-store.js';
import { partEtag } from '../checksums/index.js';
import { S3Error } from '../errors/s3-error.js';
import { InvalidArgumentError, InvalidRequestError } from '../errors/s3-errors.js';
import { createPartId, createUploadId } from '../upload-id.js';
import { checkReadConditions, checkWriteConditions } from './conditions.js';
import { decodeContinuationToken, encodeContinuationToken } from './continuation-token.js';
import { type EngineContext, type Versioned, readJson, requireBucket } from './engine-context.js';
import { commonPrefixOf, compareKeys } from './key-order.js';
import { type VersionStamp, newVersion } from './object-versions.js';
import { publishNewObject } from './publish-object.js';
import { resolveRange } from './ranges.js';
import { type ObjectRecord, type StoredAttributes, decodeRecord, recordKeys } from './records.js';
import { newObjectAccess } from './access-control.js';
import { type StagedPayload, stagePayload } from './staged-payload.js';
import { normalizeObjectTagging, storedTags } from './tagging.js';
import type {
  ChecksumAlgorithm, CopyObjectInput, CopyObjectResult, DeleteObjectResult, DeleteObjectsResult, ObjectIdentifier, GetObjectAttributesInput,
  GetObjectAttributesResult, GetObjectInput, GetObjectResult, HeadObjectResult, ListObjectsInput,
  ListObjectsResult, ObjectAttributesInput, ObjectChecksum, ObjectInfo, PayloadExpectations, PutObjectInput,
  PutObjectResult,
} from './types.js';
import { deleteObjectVersioned, readCopySource, readObjectVersion } from './versioning.js';
import { resolveMarker, resolvePageSize, validateKey, validateMetadata, validateStorageClass } from './validation.js';

export function objectInfo(record: ObjectRecord): ObjectInfo {
  const { metadata, storageClass, tagging, ...headers } = record.attributes;
  const tagCount = storedTags(tagging).length;
  return {
    ...headers,
    bucket: record.bucket,
    key: record.key,
    etag: record.etag,
    size: record.size,
    lastModified: new Date(record.lastModified),
    metadata,
    storageClass,
    ...(record.checksum ? { checksum: record.checksum } : {}),
    ...(record.parts ? { partsCount: record.parts.length } : {}),
    ...(record.versionId !== undefined ? { versionId: record.versionId } : {}),
    ...(record.owner ? { owner: record.owner } : {}),
    ...(tagCount > 0 ? { tagCount } : {}),
  };
}

function storedAttributes(input: ObjectAttributesInput, ctx: EngineContext): StoredAttributes {
  validateMetadata(input.metadata, ctx.limits);
  const storageClass = validateStorageClass(input.storageClass);
  const attributes: Record<string, unknown> = { metadata: { ...(input.metadata ?? {}) }, storageClass };
  for (const name of ['contentType', 'cacheControl', 'contentDisposition', 'contentEncoding', 'contentLanguage', 'expires'] as const) {
    if (input[name] !== undefined) attributes[name] = input[name];
  }
  const tagging = normalizeObjectTagging(input.tagging);
  if (tagging !== undefined) attributes['tagging'] = tagging;
  return attributes as unknown as StoredAttributes;
}

/** The current version, or the one `versionId` names (versioning.ts). */
function requireObject(ctx: EngineContext, bucket: string, key: string, versionId?: string): Promise<Versioned<ObjectRecord>> {
  return readObjectVersion(ctx, bucket, key, versionId);
}

/**
 * Streams a single-request body into its own data namespace and assembles it, so the new
 * bytes never touch the object currently published under the key.
 */
async function writeObjectData(
  ctx: EngineContext,
  input: {
    body: AsyncIterable<Uint8Array>;
    expect?: PayloadExpectations;
    maxSize: number;
    algorithms: readonly ChecksumAlgorithm[];
    signal?: AbortSignal;
  },
): Promise<{ handle: DataHandle; staged: StagedPayload }> {
  const upload = `put-${createUploadId(ctx.now())}`;
  const partId = createPartId(1);
  const staged = await stagePayload(ctx, { upload, partId, ...input });
  try {
    return { handle: await ctx.store.assemble(upload, [{ partId, size: staged.size }]), staged };
  } catch (error) {
    await ctx.store.discard(upload, [partId]).catch(() => undefined);
    throw error;
  }
}

/** A single-request object's checksum is FULL_OBJECT of the algorithm sent (else the default). */
function singleObjectChecksum(staged: StagedPayload, algorithm: ChecksumAlgorithm | undefined): ObjectChecksum | undefined {
  if (!algorithm) return undefined;
  const value = staged.checksums[algorithm];
  return value === undefined ? undefined : { algorithm, type: 'FULL_OBJECT', value };
}

/** The object record of a single-request object (PutObject, CopyObject) from its staged bytes. */
function singleObjectRecord(
  ctx: EngineContext,
  target: { readonly bucket: string; readonly key: string },
  handle: DataHandle,
  staged: StagedPayload,
  attributes: StoredAttributes,
  checksumAlgorithm: ChecksumAlgorithm | undefined,
): ObjectRecord {
  const checksum = singleObjectChecksum(staged, checksumAlgorithm);
  return {
    bucket: target.bucket,
    key: target.key,
    handle,
    size: staged.size,
    etag: partEtag(staged.md5),
    lastModified: ctx.now().toISOString(),
    attributes,
    ...(checksum ? { checksum } : {}),
  };
}

export async function putObject(ctx: EngineContext, input: PutObjectInput): Promise<PutObjectResult> {
  const bucket = await requireBucket(ctx, input.bucket);
  const versioning = bucket.value.versioning;
  validateKey(input.key, ctx.limits);
  const attributes = storedAttributes(input, ctx);
  const access = newObjectAccess(ctx, bucket.value, input.owner, input.acl);
  // Conditions are checked before the body is read (fail fast) and again at publish.
  let validated: Versioned<ObjectRecord> | null | undefined;
  if (input.conditions) {
    validated = (await readJson<ObjectRecord>(ctx.store, recordKeys.object(input.bucket, input.key))) ?? null;
    checkWriteConditions(input.conditions, input.key, validated?.value);
  }
  const checksumAlgorithm = input.expect?.checksumAlgorithm ?? ctx.defaultChecksum;
  const { handle, staged } = await writeObjectData(ctx, {
    body: input.body,
    maxSize: ctx.limits.maxPutObjectSize,
    algorithms: checksumAlgorithm ? [checksumAlgorithm] : [],
    ...(input.expect ? { expect: input.expect } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  const record = withVersionId({ ...singleObjectRecord(ctx, input, handle, staged, attributes, checksumAlgorithm), ...access }, newVersion(ctx, versioning));
  await publishNewObject(ctx, record, input.conditions, input.conditions ? validated : undefined, versioning);
  return {
    etag: record.etag,
    size: record.size,
    ...(record.checksum ? { checksum: record.checksum } : {}),
    ...(record.versionId !== undefined ? { versionId: record.versionId } : {}),
  };
}

interface ResolvedRead extends HeadObjectResult {
  readonly handle: DataHandle;
  /** `partNumber` named a 0-byte part: there is no inclusive range to return, and no bytes. */
  readonly emptyPart?: boolean;
}

async function* noBytes(): AsyncIterable<Uint8Array> {}

function withVersionId(record: ObjectRecord, stamp: VersionStamp | undefined): ObjectRecord {
  return stamp === undefined ? record : { ...record, ...stamp };
}

async function resolveRead(ctx: EngineContext, input: GetObjectInput): Promise<ResolvedRead> {
  const { value: record } = await requireObject(ctx, input.bucket, input.key, input.versionId);
  const object = objectInfo(record);
  checkReadConditions(input.conditions, object);
  if (input.partNumber === undefined) {
    const range = input.range ? resolveRange(input.range, record.size) : undefined;
    return { object, handle: record.handle, ...(range ? { range } : {}) };
  }
  // §7: partNumber is positional (the k-th listed part), so download managers can iterate 1..count.
  const partNumber = input.partNumber;
  if (input.range) throw new InvalidRequestError('Cannot specify both Range header and partNumber query parameter');
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > ctx.limits.maxPartNumber) {
    throw new InvalidArgumentError(`Part number must be an integer between 1 and ${ctx.limits.maxPartNumber}, inclusive`, 'partNumber', partNumber);
  }
  const parts = record.parts ?? [{ partNumber: 1, size: record.size, md5: '', checksums: {} }];
  if (partNumber > parts.length) {
    throw new S3Error('InvalidPart', 'The requested partnumber is not satisfiable', { PartNumber: partNumber, PartsCount: parts.length });
  }
  let start = 0;
  for (let i = 0; i < partNumber - 1; i++) start += parts[i]!.size;
  const part = parts[partNumber - 1]!;
  const range: ByteRange | undefined = part.size > 0 ? { start, end: start + part.size - 1 } : undefined;
  let partChecksum: ObjectChecksum | undefined;
  if (record.checksum) {
    const value = record.parts ? part.checksums[record.checksum.algorithm] : record.checksum.value;
    if (value !== undefined) partChecksum = { algorithm: record.checksum.algorithm, type: record.checksum.type, value };
  }
  return {
    object,
    handle: record.handle,
    ...(range ? { range } : { emptyPart: true }),
    ...(partChecksum ? { partChecksum } : {}),
  };
}

export async function headObject(ctx: EngineContext, input: GetObjectInput): Promise<HeadObjectResult> {
  const { handle: _handle, emptyPart: _emptyPart, ...result } = await resolveRead(ctx, input);
  return result;
}

export async function getObject(ctx: EngineContext, input: GetObjectInput): Promise<GetObjectResult> {
  const { handle, emptyPart, ...result } = await resolveRead(ctx, input);
  const body = emptyPart ? noBytes() : result.range ? ctx.store.read(handle, result.range) : ctx.store.read(handle);
  return { ...result, body };
}

export async function copyObject(ctx: EngineContext, input: CopyObjectInput): Promise<CopyObjectResult> {
  const bucket = await requireBucket(ctx, input.bucket);
  const versioning = bucket.value.versioning;
  validateKey(input.key, ctx.limits);
  const access = newObjectAccess(ctx, bucket.value, input.owner, input.acl);
  const source = await readCopySource(ctx, input.source);
  checkReadConditions(
    input.sourceConditions,
    { etag: source.etag, lastModified: new Date(source.lastModified) },
    { notModifiedFails: true, prefix: 'x-amz-copy-source-' },
  );
  const replace = input.metadataDirective === 'REPLACE';
  // Copying an older version onto its own key restores it (a new version), so only a copy of
  // the current version to itself needs changed metadata.
  if (!replace && input.source.bucket === input.bucket && input.source.key === input.key && input.source.versionId === undefined) {
    throw new InvalidRequestError(
      'This copy request is illegal because it is trying to copy an object to itself without changing the object\'s metadata, storage class, website redirect location or encryption attributes.',
    );
  }
  if (source.size > ctx.limits.maxPutObjectSize) {
    throw new InvalidRequestError(`The specified copy source is larger than the maximum allowable size for a copy source: ${ctx.limits.maxPutObjectSize}`);
  }
  const { tagging: _tagging, ...copied } = replace ? storedAttributes(input.attributes ?? {}, ctx) : source.attributes;
  // x-amz-tagging-directive is independent of the metadata directive (default COPY).
  const tagging = input.taggingDirective === 'REPLACE' ? normalizeObjectTagging(input.tagging) : source.attributes.tagging;
  const attributes: StoredAttributes = tagging === undefined ? copied : { ...copied, tagging };
  const checksumAlgorithm = source.checksum?.algorithm ?? ctx.defaultChecksum;
  const { handle, staged } = await writeObjectData(ctx, {
    body: ctx.store.read(source.handle),
    expect: { contentLength: source.size },
    maxSize: ctx.limits.maxPutObjectSize,
    algorithms: checksumAlgorithm ? [checksumAlgorithm] : [],
  });
  const record = withVersionId({ ...singleObjectRecord(ctx, input, handle, staged, attributes, checksumAlgorithm), ...access }, newVersion(ctx, versioning));
  await publishNewObject(ctx, record, undefined, undefined, versioning);
  return {
    etag: record.etag,
    lastModified: new Date(record.lastModified),
    ...(record.checksum ? { checksum: record.checksum } : {}),
    ...(record.versionId !== undefined ? { versionId: record.versionId } : {}),
    ...(source.versionId !== undefined ? { sourceVersionId: source.versionId } : {}),
  };
}

export async function deleteObject(ctx: EngineContext, bucket: string, key: string, options: { readonly versionId?: string } = {}): Promise<DeleteObjectResult> {
  const versioning = (await requireBucket(ctx, bucket)).value.versioning;
  return deleteObjectVersioned(ctx, { bucket, key, ...options }, versioning);
}

export async function deleteObjects(
  ctx: EngineContext,
  bucket: string,
  keys: readonly (string | ObjectIdentifier)[],
): Promise<DeleteObjectsResult> {
  const versioning = (await requireBucket(ctx, bucket)).value.versioning;
  const deleted: string[] = [];
  const deletedVersions: DeleteObjectResult[] = [];
  const errors: { key: string; code: string; message: string; versionId?: string }[] = [];
  for (const entry of keys) {
    const { key, versionId } = typeof entry === 'string' ? { key: entry, versionId: undefined } : entry;
    try {
      deletedVersions.push(await deleteObjectVersioned(ctx, { bucket, key, ...(versionId !== undefined ? { versionId } : {}) }, versioning));
      deleted.push(key);
    } catch (error) {
      if (!(error instanceof S3Error)) throw error;
      errors.push({ key, code: error.code, message: error.message, ...(versionId !== undefined ? { versionId } : {}) });
    }
  }
  return { deleted, deletedVersions, errors };
}

// Greater in UTF-8 byte order than any key that merely extends a prefix by BMP characters.
const PAST_PREFIX = '\u{10FFFF}';

/** ListObjects V1/V2 (prefix, delimiter, start-after / marker, opaque continuation token). */
export async function listObjects(ctx: EngineContext, input: ListObjectsInput): Promise<ListObjectsResult> {
  await requireBucket(ctx, input.bucket);
  const maxKeys = resolvePageSize(input.maxKeys, 'max-keys', ctx.limits);
  // S3 answers max-keys=0 with an empty page that is not truncated, whatever the bucket holds.
  if (maxKeys === 0) return { objects: [], commonPrefixes: [], isTruncated: false, maxKeys };
  const prefix = input.prefix ?? '';
  const delimiter = input.delimiter || undefined;
  const marker = input.continuationToken !== undefined ? decodeContinuationToken(input.continuationToken) : input.startAfter || undefined;
  const recordPrefix = recordKeys.objectPrefix(input.bucket);

  const objects: ObjectInfo[] = [];
  const commonPrefixes: string[] = [];
  let isTruncated = false;
  let lastReturned: string | undefined;
  let lastPrefix: string | undefined;
  let after = marker;
  scan: for (;;) {
    const options = after !== undefined ? { startAfter: recordPrefix + after } : {};
    for await (const record of ctx.store.listRecords(recordPrefix + prefix, options)) {
      const key = record.key.slice(recordPrefix.length);
      const commonPrefix = commonPrefixOf(key, prefix, delimiter);
      if (commonPrefix !== undefined) {
        if (commonPrefix === lastPrefix) continue;
        lastPrefix = commonPrefix;
        // Prefixes not after the marker were returned on an earlier page (§6.2 rule).
        if (marker === undefined || compareKeys(commonPrefix, marker) > 0) {
          if (objects.length + commonPrefixes.length === maxKeys) {
            isTruncated = true;
            break scan;
          }
          commonPrefixes.push(commonPrefix);
          lastReturned = commonPrefix;
        }
        // Skip the rest of the prefix's keys with a fresh listing instead of reading them.
        after = commonPrefix + PAST_PREFIX;
        continue scan;
      }
      if (objects.length + commonPrefixes.length === maxKeys) {
        isTruncated = true;
        break scan;
      }
      objects.push(objectInfo(decodeRecord<ObjectRecord>(record.value)));
      lastReturned = key;
    }
    break;
  }
  return {
    objects,
    commonPrefixes,
    isTruncated,
    ...(isTruncated && lastReturned !== undefined ? { nextContinuationToken: encodeContinuationToken(lastReturned), nextMarker: lastReturned } : {}),
    maxKeys,
  };
}

export async function getObjectAttributes(ctx: EngineContext, input: GetObjectAttributesInput): Promise<GetObjectAttributesResult> {
  const { value: record } = await requireObject(ctx, input.bucket, input.key, input.versionId);
  const info = objectInfo(record);
  // GetObjectAttributes reports a composite checksum without its -N suffix (§4.2).
  const object: ObjectInfo = record.checksum
    ? { ...info, checksum: { ...record.checksum, value: record.checksum.value.replace(/-\d+$/, '') } }
    : info;
  if (!record.parts) return { object };
  const maxParts = resolvePageSize(input.maxParts, 'max-parts', ctx.limits);
  const marker = resolveMarker(input.partNumberMarker, 'part-number-marker');
  const after = record.parts.filter((part) => part.partNumber > marker);
  const page = after.slice(0, maxParts);
  const algorithm = record.checksum?.algorithm;
  return {
    object,
    parts: {
      totalPartsCount: record.parts.length,
      partNumberMarker: marker,
      nextPartNumberMarker: page.at(-1)?.partNumber ?? 0,
      maxParts,
      isTruncated: after.length > page.length,
      parts: page.map((part) => ({
        partNumber: part.partNumber,
        size: part.size,
        checksums: algorithm && part.checksums[algorithm] !== undefined ? { [algorithm]: part.checksums[algorithm] } : {},
      })),
    },
  };
}
