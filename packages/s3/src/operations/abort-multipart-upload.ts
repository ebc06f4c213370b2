import type { RequestContext } from '../request-context.js';
import { sendEmpty } from '../response.js';
import { uploadRefOf } from './shared.js';

export async function abortMultipartUpload(ctx: RequestContext): Promise<void> {
  await ctx.engine.abortMultipartUpload(uploadRefOf(ctx));
  sendEmpty(ctx.res, 204);
}
