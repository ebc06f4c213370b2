import { badRequest } from '../gcs-error.js';
import { readJsonObject, sendJson } from '../http-util.js';
import { assertBucketName } from '../object-names.js';
import type { RequestContext } from '../request-context.js';

function bucketResource(name: string, timeCreated: string, baseUrl: string): Record<string, unknown> {
  return {
    kind: 'storage#bucket', id: name, name, selfLink: `${baseUrl}/storage/v1/b/${name}`,
    projectNumber: '0', metageneration: '1', location: 'US', storageClass: 'STANDARD', etag: 'CAE=',
    timeCreated, updated: timeCreated,
  };
}

/** POST /storage/v1/b?project=P with body {"name": B}. */
export async function insertBucket(ctx: RequestContext): Promise<void> {
  if (!ctx.query.get('project')) throw badRequest('Required parameter: project', 'required');
  const body = await readJsonObject(ctx.req);
  if (typeof body.name !== 'string') throw badRequest('Required field: name', 'required');
  assertBucketName(body.name);
  const bucket = ctx.state.createBucket(body.name);
  sendJson(ctx.res, 200, bucketResource(bucket.name, bucket.timeCreated, ctx.baseUrl));
}

export function getBucket(ctx: RequestContext, name: string): void {
  const bucket = ctx.state.bucket(name);
  sendJson(ctx.res, 200, bucketResource(bucket.name, bucket.timeCreated, ctx.baseUrl));
}

/** DELETE /storage/v1/b/{bucket}: 204, or 409 while objects remain. */
export function deleteBucket(ctx: RequestContext, name: string): void {
  ctx.state.deleteBucket(name);
  ctx.res.writeHead(204);
  ctx.res.end();
}
