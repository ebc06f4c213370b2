import { S3Error } from '../errors/s3-error.js';
import type { ObjectOwnership } from './acl.js';
import { updateBucket } from './bucket-operations.js';
import { type EngineContext, requireBucket } from './engine-context.js';

/**
 * Get/Put/DeleteBucketOwnershipControls
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html). A bucket
 * without controls behaves as `ObjectWriter` (DEFAULT_OBJECT_OWNERSHIP in acl.ts).
 */

export async function getBucketOwnershipControls(ctx: EngineContext, bucket: string): Promise<ObjectOwnership> {
  const { value } = await requireBucket(ctx, bucket);
  if (value.ownership === undefined) throw new S3Error('OwnershipControlsNotFoundError', undefined, { BucketName: bucket });
  return value.ownership;
}

/**
 * Disabling ACLs on a bucket whose own ACL grants anyone but its owner is refused, as AWS
 * does: the grants would silently stop working.
 */
export async function putBucketOwnershipControls(ctx: EngineContext, bucket: string, ownership: ObjectOwnership): Promise<void> {
  await updateBucket(ctx, bucket, (record) => {
    const owner = record.owner ?? ctx.owner;
    const foreign = (record.acl ?? []).some((g) => g.grantee.type !== 'CanonicalUser' || g.grantee.id !== owner.id);
    if (ownership === 'BucketOwnerEnforced' && foreign) throw new S3Error('InvalidBucketAclWithObjectOwnership', undefined, { BucketName: bucket });
    return { ...record, ownership };
  });
}

export async function deleteBucketOwnershipControls(ctx: EngineContext, bucket: string): Promise<void> {
  await updateBucket(ctx, bucket, ({ ownership: _ownership, ...rest }) => rest);
}
