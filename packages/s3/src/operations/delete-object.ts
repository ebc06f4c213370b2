import { bucketOf, keyOf } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { sendEmpty } from '../response.js';

export async function deleteObject(ctx: RequestContext): Promise<void> {
  await ctx.engine.deleteObject(bucketOf(ctx), keyOf(ctx));
  sendEmpty(ctx.res, 204);
}
