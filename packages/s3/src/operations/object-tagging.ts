import { bucketOf, keyOf } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { readSmallBody } from '../request-body.js';
import { sendEmpty, sendXml } from '../response.js';
import { parseTaggingDocument, taggingDocument } from '../tagging-xml.js';

/** Get/Put/DeleteObjectTagging (`?tagging` on an object). */

export async function getObjectTagging(ctx: RequestContext): Promise<void> {
  sendXml(ctx.res, 200, taggingDocument(await ctx.engine.getObjectTagging(bucketOf(ctx), keyOf(ctx))));
}

export async function putObjectTagging(ctx: RequestContext): Promise<void> {
  const body = await readSmallBody(ctx, ctx.options.maxXmlBodyBytes);
  await ctx.engine.putObjectTagging(bucketOf(ctx), keyOf(ctx), parseTaggingDocument(body.toString('utf8')));
  sendEmpty(ctx.res, 200);
}

export async function deleteObjectTagging(ctx: RequestContext): Promise<void> {
  await ctx.engine.deleteObjectTagging(bucketOf(ctx), keyOf(ctx));
  sendEmpty(ctx.res, 204);
}
