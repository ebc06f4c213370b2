import { badRequest } from '../gcs-error.js';
import { contentTypeFrom, metadataFrom, parseJsonObject, readSmallBody, sendJson } from '../http-util.js';
import { boundaryOf, parseMultipartRelated } from '../multipart-related.js';
import { ObjectBuilder, type BuiltBytes } from '../object-builder.js';
import { assertObjectName } from '../object-names.js';
import { preconditionsFrom, type Preconditions } from '../preconditions.js';
import { countedBody, type RequestContext } from '../request-context.js';
import { objectResource, type StoredObject } from '../stored-object.js';

const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

/** Builds the stored object for a fresh upload (non-composite: it has an MD5). */
export function uploadedObject(
  bucket: string,
  name: string,
  bytes: BuiltBytes,
  contentType: string,
  metadata: Readonly<Record<string, string>> | undefined,
  generation: number,
): StoredObject {
  const now = new Date().toISOString();
  return {
    bucket, name, generation, metageneration: 1,
    chunks: bytes.chunks, size: bytes.size, crc32c: bytes.crc32c, md5: bytes.md5,
    contentType, ...(metadata ? { metadata } : {}), timeCreated: now, updated: now,
  };
}

function stringMetadata(value: unknown): Record<string, string> | undefined {
  return metadataFrom(value, false) as Record<string, string> | undefined;
}

/** Commits an upload: preconditions and write in one synchronous step, then the resource. */
export function commitUpload(
  ctx: RequestContext,
  target: { bucket: string; name: string; contentType: string; metadata: Record<string, string> | undefined; conditions: Preconditions },
  bytes: BuiltBytes,
): StoredObject {
  return ctx.state.put(target.bucket, target.name, target.conditions, (generation) =>
    uploadedObject(target.bucket, target.name, bytes, target.contentType, target.metadata, generation),
  );
}

/** POST /upload/storage/v1/b/{bucket}/o?uploadType=media|multipart|resumable */
export async function insertObject(ctx: RequestContext, bucket: string): Promise<void> {
  ctx.state.bucket(bucket); // 404 before reading any body
  const conditions = preconditionsFrom(ctx.query);
  const uploadType = ctx.query.get('uploadType');
  switch (uploadType) {
    case 'media':
      return mediaUpload(ctx, bucket, conditions);
    case 'multipart':
      return multipartUpload(ctx, bucket, conditions);
    case 'resumable':
      return startResumable(ctx, bucket, conditions);
    case null:
      throw badRequest('Upload requests must include an uploadType URL parameter and a URL path beginning with /upload/', 'wrongUrlForUpload');
    default:
      throw badRequest(`Invalid upload type: ${uploadType}. Supported: media, multipart, resumable.`);
  }
}

async function mediaUpload(ctx: RequestContext, bucket: string, conditions: Preconditions): Promise<void> {
  const name = ctx.query.get('name');
  if (name === null) throw badRequest('Required parameter: name', 'required');
  assertObjectName(name);
  const builder = new ObjectBuilder();
  for await (const chunk of countedBody(ctx, `${bucket}/${name}`)) builder.append(chunk);
  assertDeclaredLength(ctx, builder.size);
  const contentType = ctx.req.headers['content-type'] ?? DEFAULT_CONTENT_TYPE;
  const object = commitUpload(ctx, { bucket, name, contentType, metadata: undefined, conditions }, builder.finish());
  sendJson(ctx.res, 200, objectResource(object, ctx.baseUrl));
}

async function multipartUpload(ctx: RequestContext, bucket: string, conditions: Preconditions): Promise<void> {
  const boundary = boundaryOf(ctx.req.headers['content-type']);
  const builder = new ObjectBuilder();
  const queryName = ctx.query.get('name');
  if (queryName !== null) assertObjectName(queryName); // reject before streaming the media
  const parsed = await parseMultipartRelated(countedBody(ctx, `${bucket}/${queryName ?? '(named in metadata)'}`), boundary, (chunk) => builder.append(chunk));
  const resource = parseJsonObject(parsed.metadata);
  const name = queryName ?? (typeof resource.name === 'string' ? resource.name : null);
  if (name === null) throw badRequest('Required parameter: name', 'required');
  assertObjectName(name);
  const contentType = contentTypeFrom(resource.contentType) ?? parsed.mediaContentType ?? DEFAULT_CONTENT_TYPE;
  const metadata = stringMetadata(resource.metadata);
  const object = commitUpload(ctx, { bucket, name, contentType, metadata, conditions }, builder.finish());
  sendJson(ctx.res, 200, objectResource(object, ctx.baseUrl));
}

async function startResumable(ctx: RequestContext, bucket: string, conditions: Preconditions): Promise<void> {
  const resource = parseJsonObject(await readSmallBody(ctx.req));
  const queryName = ctx.query.get('name');
  const name = queryName ?? (typeof resource.name === 'string' ? resource.name : null);
  if (name === null) throw badRequest('Required parameter: name', 'required');
  assertObjectName(name);
  const declared = ctx.req.headers['x-upload-content-length'];
  const expectedSize = declared === undefined ? undefined : Number(declared);
  if (expectedSize !== undefined && !(Number.isSafeInteger(expectedSize) && expectedSize >= 0)) {
    throw badRequest('Invalid X-Upload-Content-Length.');
  }
  const headerType = ctx.req.headers['x-upload-content-type'];
  const contentType = contentTypeFrom(resource.contentType) ?? (typeof headerType === 'string' ? headerType : undefined) ?? DEFAULT_CONTENT_TYPE;
  const id = ctx.sessions.create({ bucket, name, contentType, metadata: stringMetadata(resource.metadata), conditions, expectedSize });
  const location = `${ctx.baseUrl}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?uploadType=resumable&name=${encodeURIComponent(name)}&upload_id=${id}`;
  ctx.res.writeHead(200, { Location: location, 'X-GUploader-UploadID': id, 'Content-Length': '0' });
  ctx.res.end();
}

function assertDeclaredLength(ctx: RequestContext, received: number): void {
  const declared = ctx.req.headers['content-length'];
  if (declared !== undefined && Number(declared) !== received) throw badRequest('Request body length does not match Content-Length.');
}
