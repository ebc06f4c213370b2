import { S3Error } from '@mpu/core';
import { aclFromHeaders } from '../acl-headers.js';
import { bucketOf, headerOf } from '../request-context.js';
import { ownerOf } from './shared.js';
import { parseObjectOwnership } from './ownership-controls.js';
import type { RequestContext } from '../request-context.js';
import { readSmallBody } from '../request-body.js';
import { sendEmpty } from '../response.js';

/**
 * The optional CreateBucketConfiguration body (LocationConstraint) is read and ignored. The
 * bucket is owned by the caller; `x-amz-acl` / `x-amz-grant-*` and `x-amz-object-ownership`
 * are honoured.
 */
export async function createBucket(ctx: RequestContext): Promise<void> {
  const acl = aclFromHeaders(ctx);
  const ownershipHeader = headerOf(ctx, 'x-amz-object-ownership');
  const ownership = parseObjectOwnership(ownershipHeader);
  if (ownershipHeader !== undefined && ownership === undefined) {
    throw new S3Error('InvalidArgument', 'Invalid x-amz-object-ownership header', { ArgumentName: 'x-amz-object-ownership', ArgumentValue: ownershipHeader });
  }
  await readSmallBody(ctx, ctx.options.maxXmlBodyBytes);
  const bucket = bucketOf(ctx);
  await ctx.engine.createBucket(bucket, { owner: ownerOf(ctx), ...(acl ? { acl } : {}), ...(ownership ? { ownership } : {}) });
  ctx.res.setHeader('Location', `/${bucket}`);
  sendEmpty(ctx.res, 200);
}
