import { bucketOf } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { readSmallBody } from '../request-body.js';
import { sendEmpty } from '../response.js';

/** The optional CreateBucketConfiguration body (LocationConstraint) is read and ignored. */
export async function createBucket(ctx: RequestContext): Promise<void> {
  await readSmallBody(ctx, ctx.options.maxXmlBodyBytes);
  const bucket = bucketOf(ctx);
  await ctx.engine.createBucket(bucket);
  ctx.res.setHeader('Location', `/${bucket}`);
  sendEmpty(ctx.res, 200);
}
