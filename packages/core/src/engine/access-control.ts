import {
  type AccessControlPolicy, type AccessPrincipal, type AclPermission, type AclRequest, DEFAULT_OBJECT_OWNERSHIP, type Grant,
  type ObjectOwnership, assertAclsEnabled, grantsOf, isGranted, resolveAcl,
} from './acl.js';
import { updateBucket } from './bucket-operations.js';
import { type EngineContext, readJson, requireBucket } from './engine-context.js';
import { type BucketRecord, type ObjectRecord, recordKeys } from './records.js';
import type { Owner } from './types.js';
import { readObject, updateObject } from './update-object.js';
import { validateKey } from './validation.js';

/**
 * Get/PutBucketAcl, Get/PutObjectAcl, who owns what a write creates, and the facts an access
 * check needs. The evaluation rule itself is `isGranted` (acl.ts).
 */

/** A bucket's owner, grants and ownership setting, as an access check sees them. */
export interface BucketAccess {
  /** Undefined for buckets created before owners were recorded. */
  readonly owner?: Owner;
  readonly grants?: readonly Grant[];
  readonly ownership: ObjectOwnership;
}

export interface ObjectAccess {
  readonly owner?: Owner;
  readonly grants?: readonly Grant[];
}

function bucketAccess(record: BucketRecord): BucketAccess {
  return {
    ...(record.owner ? { owner: record.owner } : {}),
    ...(record.acl ? { grants: record.acl } : {}),
    ownership: record.ownership ?? DEFAULT_OBJECT_OWNERSHIP,
  };
}

export async function getBucketAccess(ctx: EngineContext, bucket: string): Promise<BucketAccess> {
  return bucketAccess((await requireBucket(ctx, bucket)).value);
}

/** Undefined when the object does not exist (the caller decides between 403 and 404). */
export async function getObjectAccess(ctx: EngineContext, bucket: string, key: string): Promise<ObjectAccess | undefined> {
  await requireBucket(ctx, bucket);
  validateKey(key, ctx.limits);
  const record = (await readJson<ObjectRecord>(ctx.store, recordKeys.object(bucket, key)))?.value;
  if (!record) return undefined;
  return { ...(record.owner ? { owner: record.owner } : {}), ...(record.acl ? { grants: record.acl } : {}) };
}

/**
 * Whether `principal` holds `permission` on the bucket, or on an object of it. With
 * BucketOwnerEnforced, ACLs are disabled: the bucket owner owns every object and grants are
 * ignored (https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html).
 */
export function allowsAccess(
  bucket: BucketAccess,
  object: ObjectAccess | undefined,
  principal: AccessPrincipal,
  permission: AclPermission,
): boolean {
  if (bucket.ownership === 'BucketOwnerEnforced') return isGranted({ ...(bucket.owner ? { owner: bucket.owner } : {}) }, principal, permission);
  return isGranted(object ?? bucket, principal, permission);
}

/** The owner and grants a new object (or upload) gets under the bucket's ownership setting. */
export function newObjectAccess(
  ctx: EngineContext,
  bucket: BucketRecord,
  writer: Owner | undefined,
  acl: AclRequest | undefined,
): { owner: Owner; acl?: readonly Grant[] } {
  const ownership = bucket.ownership ?? DEFAULT_OBJECT_OWNERSHIP;
  assertAclsEnabled(ownership, acl);
  const bucketOwner = bucket.owner ?? ctx.owner;
  let owner = writer ?? ctx.owner;
  if (ownership === 'BucketOwnerEnforced') return { owner: bucketOwner };
  if (ownership === 'BucketOwnerPreferred' && acl !== undefined && 'canned' in acl && acl.canned === 'bucket-owner-full-control') owner = bucketOwner;
  return { owner, ...(acl ? { acl: resolveAcl(acl, owner, bucketOwner) } : {}) };
}

function policyOf(ctx: EngineContext, owner: Owner | undefined, grants: readonly Grant[] | undefined): AccessControlPolicy {
  const resolved = owner ?? ctx.owner;
  return { owner: resolved, grants: grantsOf(resolved, grants) };
}

export async function getBucketAcl(ctx: EngineContext, bucket: string): Promise<AccessControlPolicy> {
  const { value } = await requireBucket(ctx, bucket);
  return policyOf(ctx, value.owner, value.ownership === 'BucketOwnerEnforced' ? undefined : value.acl);
}

export async function putBucketAcl(ctx: EngineContext, bucket: string, acl: AclRequest): Promise<void> {
  await updateBucket(ctx, bucket, (record) => {
    assertAclsEnabled(record.ownership ?? DEFAULT_OBJECT_OWNERSHIP, acl);
    if (record.ownership === 'BucketOwnerEnforced') return record;
    return { ...record, acl: resolveAcl(acl, record.owner ?? ctx.owner) };
  });
}

export async function getObjectAcl(ctx: EngineContext, bucket: string, key: string): Promise<AccessControlPolicy> {
  const { value: bucketRecord } = await requireBucket(ctx, bucket);
  const record = await readObject(ctx, bucket, key);
  if (bucketRecord.ownership === 'BucketOwnerEnforced') return policyOf(ctx, bucketRecord.owner, undefined);
  return policyOf(ctx, record.owner, record.acl);
}

export async function putObjectAcl(ctx: EngineContext, bucket: string, key: string, acl: AclRequest): Promise<void> {
  const { value: bucketRecord } = await requireBucket(ctx, bucket);
  assertAclsEnabled(bucketRecord.ownership ?? DEFAULT_OBJECT_OWNERSHIP, acl);
  if (bucketRecord.ownership === 'BucketOwnerEnforced') {
    await readObject(ctx, bucket, key);
    return;
  }
  await updateObject(ctx, bucket, key, (record) => ({ ...record, acl: resolveAcl(acl, record.owner ?? ctx.owner, bucketRecord.owner ?? ctx.owner) }));
}
