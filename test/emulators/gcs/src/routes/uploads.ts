import { badRequest } from '../gcs-error.js';
import { contentTypeFrom, metadataFrom, parseJsonObject, readSmallBody, sendJson } from '../http-util.js';
import { boundaryOf, parseMultipartRelated } from '../multipart-related.js';
import { crc32cBase64 } from '../crc32c.js';
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

/** Hashes the client declared for an upload (X-Goog-Hash header, or crc32c/md5Hash metadata). */
export interface DeclaredHashes {
  readonly crc32c?: string;
  readonly md5?: string;
}

export function hashesFromHeader(header: string | string[] | undefined): DeclaredHashes {
  const result: { crc32c?: string; md5?: string } = {};
  for (const item of (Array.isArray(header) ? header.join(',') : header ?? '').split(',')) {
    const at = item.indexOf('=');
    if (at < 0) continue;
    const kind = item.slice(0, at).trim().toLowerCase();
    const value = item.slice(at + 1).trim();
    if (kind === 'crc32c') result.crc32c = value;
    if (kind === 'md5') result.md5 = value;
  }
  return result;
}

/**
 * GCS checks hashes a client supplies with an upload and refuses the object when they differ
 * (https://cloud.google.com/storage/docs/data-validation#json-api): 400, nothing stored.
 */
function assertDeclaredHashes(bytes: BuiltBytes, declared: DeclaredHashes): void {
  const crc = crc32cBase64(bytes.crc32c);
  if (declared.crc32c !== undefined && declared.crc32c !== crc) {
    throw badRequest(`Provided CRC32C "${declared.crc32c}" doesn't match calculated CRC32C "${crc}".`);
  }
  const md5 = bytes.md5.toString('base64');
  if (declared.md5 !== undefined && declared.md5 !== md5) {
    throw badRequest(`Provided MD5 hash "${declared.md5}" doesn't match calculated MD5 hash "${md5}".`);
  }
}

/** Commits an upload: hashes, preconditions and write in one synchronous step, then the resource. */
export function commitUpload(
  ctx: RequestContext,
  target: { bucket: string; name: string; contentType: string; metadata: Record<string, string> | undefined; conditions: Preconditions },
  bytes: BuiltBytes,
  declared: DeclaredHashes = {},
): StoredObject {
  assertDeclaredHashes(bytes, declared);
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
  const object = commitUpload(ctx, { bucket, name, contentType, metadata: undefined, conditions }, builder.finish(), hashesFromHeader(ctx.req.headers['x-goog-hash']));
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
  const declared = {
    ...hashesFromHeader(ctx.req.headers['x-goog-hash']),
    ...(typeof resource.crc32c === 'string' ? { crc32c: resource.crc32c } : {}),
    ...(typeof resource.md5Hash === 'string' ? { md5: resource.md5Hash } : {}),
  };
  const object = commitUpload(ctx, { bucket, name, contentType, metadata, conditions }, builder.finish(), declared);
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
