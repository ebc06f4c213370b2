import { bucketOf } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { sendXml } from '../response.js';
import { resultDocument } from '../xml.js';

/**
 * GetBucketVersioning: an empty `<VersioningConfiguration/>` for a bucket that never had
 * versioning (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketVersioning.html).
 */
export async function getBucketVersioning(ctx: RequestContext): Promise<void> {
  const status = await ctx.engine.getBucketVersioning(bucketOf(ctx));
  sendXml(ctx.res, 200, resultDocument('VersioningConfiguration', [status === undefined ? undefined : ['Status', status]]));
}
