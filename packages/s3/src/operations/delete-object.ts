import { bucketOf, keyOf, queryParam } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { sendEmpty } from '../response.js';
import { setVersionIdHeader } from './shared.js';

/**
 * DeleteObject: `?versionId=` removes that version; in a versioned bucket a plain DELETE
 * creates a delete marker (`x-amz-delete-marker: true` + its `x-amz-version-id`),
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html.
 */
export async function deleteObject(ctx: RequestContext): Promise<void> {
  const versionId = queryParam(ctx, 'versionId');
  const result = await ctx.engine.deleteObject(bucketOf(ctx), keyOf(ctx), versionId !== undefined ? { versionId } : {});
  if (result.deleteMarker) ctx.res.setHeader('x-amz-delete-marker', 'true');
  setVersionIdHeader(ctx, result.versionId);
  sendEmpty(ctx.res, 204);
}
