import { bucketOf } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { readSmallBody } from '../request-body.js';
import { sendEmpty, sendXml } from '../response.js';
import { parseTaggingDocument, taggingDocument } from '../tagging-xml.js';

/** Get/Put/DeleteBucketTagging (`?tagging` on a bucket); NoSuchTagSet when none is set. */

export async function getBucketTagging(ctx: RequestContext): Promise<void> {
  sendXml(ctx.res, 200, taggingDocument(await ctx.engine.getBucketTagging(bucketOf(ctx))));
}

export async function putBucketTagging(ctx: RequestContext): Promise<void> {
  const body = await readSmallBody(ctx, ctx.options.maxXmlBodyBytes);
  await ctx.engine.putBucketTagging(bucketOf(ctx), parseTaggingDocument(body.toString('utf8')));
  sendEmpty(ctx.res, 204);
}

export async function deleteBucketTagging(ctx: RequestContext): Promise<void> {
  await ctx.engine.deleteBucketTagging(bucketOf(ctx));
  sendEmpty(ctx.res, 204);
}
