import { bucketOf } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { sendEmpty } from '../response.js';

export async function deleteBucket(ctx: RequestContext): Promise<void> {
  await ctx.engine.deleteBucket(bucketOf(ctx));
  sendEmpty(ctx.res, 204);
}
