import { S3Error } from '../errors/s3-error.js';
import { updateBucket } from './bucket-operations.js';
import { type EngineContext, requireBucket } from './engine-context.js';
import { type Tag, validateTags } from './tagging.js';

/** Get/Put/DeleteBucketTagging: a field on the bucket record, replaced as a whole. */

export async function getBucketTagging(ctx: EngineContext, bucket: string): Promise<readonly Tag[]> {
  const { value } = await requireBucket(ctx, bucket);
  if (!value.tags || value.tags.length === 0) throw new S3Error('NoSuchTagSet', undefined, { BucketName: bucket });
  return value.tags;
}

export async function putBucketTagging(ctx: EngineContext, bucket: string, tags: readonly Tag[]): Promise<void> {
  validateTags(tags, 'bucket');
  await updateBucket(ctx, bucket, (record) => ({ ...record, tags: tags.map((t) => ({ key: t.key, value: t.value })) }));
}

export async function deleteBucketTagging(ctx: EngineContext, bucket: string): Promise<void> {
  await updateBucket(ctx, bucket, ({ tags: _tags, ...rest }) => rest);
}
