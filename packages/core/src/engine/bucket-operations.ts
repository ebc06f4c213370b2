import { S3Error } from '../errors/s3-error.js';
import { BucketAlreadyOwnedByYouError, BucketNotEmptyError, InvalidArgumentError, NoSuchLifecycleConfigurationError } from '../errors/s3-errors.js';
import { decodeContinuationToken, encodeContinuationToken } from './continuation-token.js';
import { type EngineContext, readJson, requireBucket, tryWriteJson } from './engine-context.js';
import { versionKeys } from './object-versions.js';
import { type BucketRecord, type UploadRecord, decodeRecord, recordKeys } from './records.js';
import { assertAclsEnabled, resolveAcl } from './acl.js';
import type { BucketInfo, CreateBucketOptions, LifecycleRule, ListBucketsInput, ListBucketsResult } from './types.js';
import { validateBucketName } from './validation.js';

function bucketInfo(record: BucketRecord): BucketInfo {
  return { name: record.name, created: new Date(record.created), ...(record.owner ? { owner: record.owner } : {}) };
}

export async function createBucket(ctx: EngineContext, name: string, options: CreateBucketOptions = {}): Promise<BucketInfo> {
  validateBucketName(name);
  // Without an owner (an embedder calling the engine directly, its own authorization in front),
  // the bucket belongs to every signed caller, as buckets from before owners were recorded do.
  const owner = options.owner;
  assertAclsEnabled(options.ownership, options.acl);
  const acl = options.acl && options.ownership !== 'BucketOwnerEnforced' ? resolveAcl(options.acl, owner ?? ctx.owner) : undefined;
  const record: BucketRecord = {
    name,
    created: ctx.now().toISOString(),
    ...(owner ? { owner } : {}),
    ...(acl ? { acl } : {}),
    ...(options.ownership ? { ownership: options.ownership } : {}),
  };
  const written = await tryWriteJson(ctx.store, recordKeys.bucket(name), record, { ifAbsent: true });
  if (written === undefined) {
    // The name is taken: by this owner (or before owners were recorded), or by another one.
    const existing = await readJson<BucketRecord>(ctx.store, recordKeys.bucket(name));
    if (existing?.value.owner !== undefined && owner !== undefined && existing.value.owner.id !== owner.id) {
      throw new S3Error('BucketAlreadyExists', undefined, { BucketName: name });
    }
    throw new BucketAlreadyOwnedByYouError(name);
  }
  return bucketInfo(record);
}

/**
 * A bucket can be deleted only when it holds no object AND no in-progress (initiated or
 * completing) upload: AWS documents the upload rule only for directory buckets, but deleting
 * a bucket under a live upload would strand its parts, so mpu applies it everywhere. Final
 * upload records (tombstones) do not block and are removed with the bucket.
 */
export async function deleteBucket(ctx: EngineContext, name: string): Promise<void> {
  const bucket = await requireBucket(ctx, name);
  for await (const _ of ctx.store.listRecords(recordKeys.objectPrefix(name), { limit: 1 })) {
    throw new BucketNotEmptyError(name, 'objects');
  }
  // Non-current versions and delete markers keep a versioned bucket non-empty, as on AWS.
  for await (const _ of ctx.store.listRecords(versionKeys.prefix(name), { limit: 1 })) {
    throw new BucketNotEmptyError(name, 'objects');
  }
  const tombstones: string[] = [];
  for await (const record of ctx.store.listRecords(recordKeys.uploadPrefix(name))) {
    const upload = decodeRecord<UploadRecord>(record.value);
    if (upload.state === 'initiated' || upload.state === 'completing') throw new BucketNotEmptyError(name, 'uploads');
    tombstones.push(record.key);
  }
  await ctx.store.deleteRecord(recordKeys.bucket(name), { ifVersion: bucket.version });
  for (const key of tombstones) await ctx.store.deleteRecord(key);
}

export async function headBucket(ctx: EngineContext, name: string): Promise<BucketInfo> {
  return bucketInfo((await requireBucket(ctx, name)).value);
}

/** Upper bound of `max-buckets` (the ListBuckets reference). */
const MAX_BUCKETS_PER_PAGE = 10_000;

export async function listBuckets(ctx: EngineContext, input: ListBucketsInput = {}): Promise<ListBucketsResult> {
  const { maxBuckets } = input;
  if (maxBuckets !== undefined && (!Number.isInteger(maxBuckets) || maxBuckets < 1 || maxBuckets > MAX_BUCKETS_PER_PAGE)) {
    throw new InvalidArgumentError(`Argument max-buckets must be an integer between 1 and ${MAX_BUCKETS_PER_PAGE}`, 'max-buckets', maxBuckets);
  }
  const after = input.continuationToken === undefined ? undefined : decodeContinuationToken(input.continuationToken);
  const prefix = recordKeys.bucketPrefix + (input.prefix ?? '');
  const buckets: BucketInfo[] = [];
  let more = false;
  const options = { ...(after === undefined ? {} : { startAfter: recordKeys.bucket(after) }), ...(maxBuckets === undefined ? {} : { limit: maxBuckets + 1 }) };
  for await (const record of ctx.store.listRecords(prefix, options)) {
    if (buckets.length === maxBuckets) {
      more = true;
      break;
    }
    buckets.push(bucketInfo(decodeRecord<BucketRecord>(record.value)));
  }
  const last = buckets.at(-1);
  return { buckets, ...(more && last !== undefined ? { continuationToken: encodeContinuationToken(last.name) } : {}) };
}

/** Read-modify-write of the bucket record by CAS, retried when another writer got there first. */
export async function updateBucket(ctx: EngineContext, name: string, update: (record: BucketRecord) => BucketRecord): Promise<void> {
  for (;;) {
    const current = await requireBucket(ctx, name);
    const written = await tryWriteJson(ctx.store, recordKeys.bucket(name), update(current.value), { ifVersion: current.version });
    if (written !== undefined) return;
  }
}

export async function putBucketLifecycle(ctx: EngineContext, name: string, rules: readonly LifecycleRule[]): Promise<void> {
  await updateBucket(ctx, name, (record) => ({ ...record, lifecycle: rules.map((rule) => ({ ...rule })) }));
}

export async function getBucketLifecycle(ctx: EngineContext, name: string): Promise<readonly LifecycleRule[]> {
  const { value } = await requireBucket(ctx, name);
  if (!value.lifecycle || value.lifecycle.length === 0) throw new NoSuchLifecycleConfigurationError(name);
  return value.lifecycle;
}

export async function deleteBucketLifecycle(ctx: EngineContext, name: string): Promise<void> {
  await updateBucket(ctx, name, ({ lifecycle: _lifecycle, ...rest }) => rest);
}

export async function bucketLifecycle(ctx: EngineContext, name: string): Promise<readonly LifecycleRule[] | undefined> {
  return (await readJson<BucketRecord>(ctx.store, recordKeys.bucket(name)))?.value.lifecycle;
}
