import { NoSuchBucketError, S3Error, allowsAccess, isGranted } from '@mpu/core';
import type { AccessPrincipal, AclPermission, BucketAccess } from '@mpu/core';
import { bucketOf, keyOf } from './request-context.js';
import type { RequestContext } from './request-context.js';
import type { OperationName } from './router.js';
import { copySourceOf, ownerOf } from './operations/shared.js';

/**
 * The ACL step of the pipeline, right after authentication: may this principal run this
 * operation on this bucket or object? Permissions follow AWS's ACL mapping
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#permissions):
 *
 * - unsigned requests are the anonymous principal, allowed only where a grant to AllUsers
 *   gives the permission (`allowAnonymous` restores "unsigned requests may do anything");
 * - a signed request is its credential's owner (credentials.ts). When every credential acts as
 *   one owner, authenticated requests are not checked at all (no extra read per request);
 * - an owner holds every permission on what it owns; bucket configuration (lifecycle,
 *   tagging, ownership controls, deletion) is for the bucket owner only, as in AWS;
 * - object tagging changes need WRITE_ACP on the object (AWS governs them by policy only);
 * - a missing object is 404 only to principals who may list the bucket (READ), else 403.
 *
 * Failures of the reads themselves (NoSuchBucket) are left to the operation to answer.
 */

type Rule =
  | { readonly scope: 'authenticated' }
  // The operation authenticates the request itself (PostObject: the form's policy signature).
  | { readonly scope: 'operation' }
  | { readonly scope: 'bucket'; readonly permission: AclPermission }
  | { readonly scope: 'bucket-owner' }
  | { readonly scope: 'object'; readonly permission: AclPermission };

const BUCKET_READ: Rule = { scope: 'bucket', permission: 'READ' };
const BUCKET_WRITE: Rule = { scope: 'bucket', permission: 'WRITE' };
const OBJECT_READ: Rule = { scope: 'object', permission: 'READ' };
const OWNER: Rule = { scope: 'bucket-owner' };

export const ACCESS_RULES: Readonly<Record<OperationName, Rule>> = {
  ListBuckets: { scope: 'authenticated' },
  CreateBucket: { scope: 'authenticated' },
  HeadBucket: BUCKET_READ,
  GetBucketLocation: BUCKET_READ,
  ListObjects: BUCKET_READ,
  ListObjectsV2: BUCKET_READ,
  ListMultipartUploads: BUCKET_READ,
  ListParts: BUCKET_READ,
  DeleteBucket: OWNER,
  PutBucketLifecycleConfiguration: OWNER,
  GetBucketLifecycleConfiguration: OWNER,
  DeleteBucketLifecycle: OWNER,
  PutBucketTagging: OWNER,
  GetBucketTagging: OWNER,
  DeleteBucketTagging: OWNER,
  PutBucketOwnershipControls: OWNER,
  GetBucketOwnershipControls: OWNER,
  DeleteBucketOwnershipControls: OWNER,
  GetBucketAcl: { scope: 'bucket', permission: 'READ_ACP' },
  PutBucketAcl: { scope: 'bucket', permission: 'WRITE_ACP' },
  DeleteObjects: BUCKET_WRITE,
  PutObject: BUCKET_WRITE,
  CopyObject: BUCKET_WRITE,
  DeleteObject: BUCKET_WRITE,
  CreateMultipartUpload: BUCKET_WRITE,
  UploadPart: BUCKET_WRITE,
  UploadPartCopy: BUCKET_WRITE,
  CompleteMultipartUpload: BUCKET_WRITE,
  AbortMultipartUpload: BUCKET_WRITE,
  GetObject: OBJECT_READ,
  HeadObject: OBJECT_READ,
  GetObjectAttributes: OBJECT_READ,
  GetObjectTagging: OBJECT_READ,
  PutObjectTagging: { scope: 'object', permission: 'WRITE_ACP' },
  DeleteObjectTagging: { scope: 'object', permission: 'WRITE_ACP' },
  GetObjectAcl: { scope: 'object', permission: 'READ_ACP' },
  PutObjectAcl: { scope: 'object', permission: 'WRITE_ACP' },
  PutBucketCors: OWNER,
  GetBucketCors: OWNER,
  DeleteBucketCors: OWNER,
  PutBucketVersioning: OWNER,
  GetBucketVersioning: OWNER,
  ListObjectVersions: BUCKET_READ,
  PostObject: { scope: 'operation' },
};

function accessDenied(): S3Error {
  return new S3Error('AccessDenied', 'Access Denied');
}

export function principalOf(ctx: RequestContext): AccessPrincipal {
  return ctx.auth.accessKeyId === undefined ? { kind: 'anonymous' } : { kind: 'user', id: ownerOf(ctx).id };
}

async function bucketAccessOf(ctx: RequestContext, bucket: string): Promise<BucketAccess | undefined> {
  try {
    return await ctx.engine.getBucketAccess(bucket);
  } catch (error) {
    if (error instanceof NoSuchBucketError) return undefined;
    throw error;
  }
}

/** READ on an object (or, when it is missing, READ on its bucket so that 404 may be told). */
async function mayUseObject(ctx: RequestContext, principal: AccessPrincipal, bucket: string, key: string, permission: AclPermission): Promise<boolean> {
  const bucketAccess = await bucketAccessOf(ctx, bucket);
  if (bucketAccess === undefined) return true;
  // A key the engine refuses (KeyTooLong) is the operation's to answer, as for a missing one.
  const object = await ctx.engine.getObjectAccess(bucket, key).catch((error: unknown) => {
    if (error instanceof S3Error) return undefined;
    throw error;
  });
  if (object === undefined) return allowsAccess(bucketAccess, undefined, principal, 'READ');
  return allowsAccess(bucketAccess, object, principal, permission);
}

export async function checkAccess(ctx: RequestContext): Promise<void> {
  const rule = ACCESS_RULES[ctx.operation];
  if (rule.scope === 'operation') return;
  const principal = principalOf(ctx);
  if (principal.kind === 'anonymous' ? ctx.options.allowAnonymous : ctx.options.singleOwner) return;
  if (rule.scope === 'authenticated') {
    if (principal.kind === 'anonymous') throw accessDenied();
    return;
  }
  const bucket = bucketOf(ctx);
  if (rule.scope === 'object') {
    if (!(await mayUseObject(ctx, principal, bucket, keyOf(ctx), rule.permission))) throw accessDenied();
    return;
  }
  const access = await bucketAccessOf(ctx, bucket);
  if (access === undefined) return;
  const allowed = rule.scope === 'bucket-owner'
    ? isGranted({ ...(access.owner ? { owner: access.owner } : {}) }, principal, 'FULL_CONTROL')
    : allowsAccess(access, undefined, principal, rule.permission);
  if (!allowed) throw accessDenied();
  if (ctx.operation === 'CopyObject' || ctx.operation === 'UploadPartCopy') {
    // The source is read: READ on the source object, as GetObject would need.
    const source = copySourceOf(ctx);
    if (!(await mayUseObject(ctx, principal, source.bucket, source.key, 'READ'))) throw accessDenied();
  }
}
