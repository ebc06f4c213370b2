import { bucketOf } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { sendEmpty } from '../response.js';

export async function headBucket(ctx: RequestContext): Promise<void> {
  await ctx.engine.headBucket(bucketOf(ctx));
  ctx.res.setHeader('x-amz-bucket-region', ctx.options.regions?.[0] ?? 'us-east-1');
  sendEmpty(ctx.res, 200);
}
