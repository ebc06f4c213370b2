import { GcsHttpError, notFound } from './gcs-error.js';
import type { RequestContext } from './request-context.js';
import { deleteBucket, getBucket, insertBucket } from './routes/buckets.js';
import { composeObject } from './routes/compose.js';
import { listObjects } from './routes/list.js';
import { deleteObject, getObject, patchObject } from './routes/objects.js';
import { cancelResumable, putResumable } from './routes/resumable-session.js';
import { insertObject } from './routes/uploads.js';

const notImplemented = (what: string): GcsHttpError => new GcsHttpError(501, 'notImplemented', `${what} is not implemented by this test server.`);

function methodNotAllowed(method: string): GcsHttpError {
  return new GcsHttpError(405, 'methodNotAllowed', `Method ${method} is not allowed on this resource.`);
}

/** Dispatches the JSON-API paths `@google-cloud/storage` 7.x uses (see GCS-WIRE.md). */
export async function route(ctx: RequestContext): Promise<void> {
  const method = ctx.req.method ?? 'GET';
  const s = ctx.segments;
  const count = (operation: string): void => ctx.stats.count(operation);

  if (s[0] === 'storage' && s[1] === 'v1' && s[2] === 'b') {
    const bucket = s[3];
    if (bucket === undefined || (s.length === 4 && bucket === '')) {
      if (method === 'POST') return count('buckets.insert'), insertBucket(ctx);
      if (method === 'GET') throw notImplemented('Listing buckets');
      throw methodNotAllowed(method);
    }
    if (s.length === 4) {
      if (method === 'GET') return count('buckets.get'), getBucket(ctx, bucket);
      if (method === 'DELETE') return count('buckets.delete'), deleteBucket(ctx, bucket);
      throw methodNotAllowed(method);
    }
    if (s[4] !== 'o') throw notFound('Not Found');
    if (s.length === 5) {
      if (method === 'GET') return count('objects.list'), listObjects(ctx, bucket);
      if (method === 'POST') {
        throw new GcsHttpError(400, 'wrongUrlForUpload', 'Upload requests must include an uploadType URL parameter and a URL path beginning with /upload/');
      }
      throw methodNotAllowed(method);
    }
    const name = s[5]!;
    if (s.length === 6) {
      if (method === 'GET') return getObject(ctx, bucket, name);
      if (method === 'PATCH') return count('objects.patch'), patchObject(ctx, bucket, name);
      if (method === 'DELETE') return count('objects.delete'), deleteObject(ctx, bucket, name);
      if (method === 'PUT') throw notImplemented('objects.update (PUT)');
      throw methodNotAllowed(method);
    }
    if (s.length === 7 && s[6] === 'compose') {
      if (method === 'POST') return composeObject(ctx, bucket, name);
      throw methodNotAllowed(method);
    }
    if (s[6] === 'rewriteTo' || s[6] === 'copyTo') throw notImplemented(`objects.${s[6]}`);
    throw notFound('Not Found');
  }

  if (s[0] === 'download' && s[1] === 'storage' && s[2] === 'v1' && s[3] === 'b' && s[5] === 'o' && s.length === 7) {
    if (method !== 'GET') throw methodNotAllowed(method);
    return getObject(ctx, s[4]!, s[6]!);
  }

  if (s[0] === 'upload' && s[1] === 'storage' && s[2] === 'v1' && s[3] === 'b' && s[5] === 'o' && s.length === 6) {
    const bucket = s[4]!;
    if (method === 'POST') return count('objects.insert'), insertObject(ctx, bucket);
    if (method === 'PUT') return count('objects.resumablePut'), putResumable(ctx);
    if (method === 'DELETE') return count('objects.resumableCancel'), cancelResumable(ctx);
    throw methodNotAllowed(method);
  }

  throw notFound('Not Found');
}
