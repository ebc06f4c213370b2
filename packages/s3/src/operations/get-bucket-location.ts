import { bucketOf } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { sendXml } from '../response.js';
import { S3_NAMESPACE, escapeXml } from '../xml.js';

/** us-east-1 is reported as an empty LocationConstraint, as AWS does. */
export async function getBucketLocation(ctx: RequestContext): Promise<void> {
  await ctx.engine.headBucket(bucketOf(ctx));
  const region = ctx.options.regions?.[0] ?? 'us-east-1';
  const text = region === 'us-east-1' ? '' : escapeXml(region);
  sendXml(ctx.res, 200, `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="${S3_NAMESPACE}">${text}</LocationConstraint>`);
}
