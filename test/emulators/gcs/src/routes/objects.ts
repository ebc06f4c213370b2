import { GcsHttpError, badRequest, notFound } from '../gcs-error.js';
import { contentTypeFrom, metadataFrom, readJsonObject, sendJson } from '../http-util.js';
import { assertObjectName } from '../object-names.js';
import { checkPreconditions, parseInt64, preconditionsFrom } from '../preconditions.js';
import type { RequestContext } from '../request-context.js';
import { etagOf, googHash, objectResource, type StoredObject } from '../stored-object.js';

/** The live object named in the path, honouring `generation=` (no versioning: only the live one). */
function liveObject(ctx: RequestContext, bucket: string, name: string): StoredObject {
  assertObjectName(name);
  const object = ctx.state.object(bucket, name);
  const generation = ctx.query.get('generation');
  if (generation !== null && parseInt64('generation', generation) !== object.generation) {
    throw notFound(`No such object: ${bucket}/${name}`);
  }
  checkPreconditions(object, preconditionsFrom(ctx.query));
  return object;
}

/** GET /storage/v1/b/{bucket}/o/{object}[?alt=media] */
export async function getObject(ctx: RequestContext, bucket: string, name: string): Promise<void> {
  const alt = ctx.query.get('alt') ?? 'json';
  if (alt !== 'json' && alt !== 'media') throw badRequest(`Invalid value for alt: ${alt}`);
  const object = liveObject(ctx, bucket, name);
  if (alt === 'json') {
    ctx.stats.count('objects.get');
    sendJson(ctx.res, 200, objectResource(object, ctx.baseUrl), { ETag: etagOf(object) });
    return;
  }
  ctx.stats.count('objects.media');
  await sendMedia(ctx, object);
}

interface Slice {
  readonly start: number;
  readonly end: number; // inclusive
}

/**
 * One `Range: bytes=` spec as RFC 9110 defines it. Unsatisfiable → 416; a header we do not
 * understand (or several ranges) is ignored and the whole object is sent, as HTTP allows.
 */
function rangeOf(header: string | undefined, size: number): Slice | 'whole' {
  if (header === undefined) return 'whole';
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return 'whole';
  const [, first, last] = match;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) throw unsatisfiable(size);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) return 'whole';
  if (start >= size) throw unsatisfiable(size);
  return { start, end };
}

function unsatisfiable(size: number): GcsHttpError {
  return new GcsHttpError(416, 'requestedRangeNotSatisfiable', 'The requested range cannot be satisfied.', {
    'Content-Range': `bytes */${size}`,
  });
}

async function sendMedia(ctx: RequestContext, object: StoredObject): Promise<void> {
  const range = rangeOf(ctx.req.headers.range, object.size);
  const slice = range === 'whole' ? { start: 0, end: object.size - 1 } : range;
  const length = slice.end - slice.start + 1;
  const headers: Record<string, string> = {
    'Content-Type': object.contentType,
    'Content-Length': String(length),
    'Accept-Ranges': 'bytes',
    ETag: etagOf(object),
    'Last-Modified': new Date(object.updated).toUTCString(),
    'X-Goog-Hash': googHash(object),
    'X-Goog-Generation': String(object.generation),
    'X-Goog-Metageneration': String(object.metageneration),
    'X-Goog-Stored-Content-Encoding': 'identity',
    'X-Goog-Stored-Content-Length': String(object.size),
  };
  if (object.componentCount !== undefined) headers['X-Goog-Component-Count'] = String(object.componentCount);
  if (range !== 'whole') headers['Content-Range'] = `bytes ${slice.start}-${slice.end}/${object.size}`;
  ctx.res.writeHead(range === 'whole' ? 200 : 206, headers);
  let budget = ctx.resetAfterBytes ?? Infinity;
  let offset = 0;
  for (const chunk of object.chunks) {
    const chunkEnd = offset + chunk.length;
    if (chunkEnd > slice.start && offset <= slice.end) {
      const piece = chunk.subarray(Math.max(0, slice.start - offset), Math.min(chunk.length, slice.end - offset + 1));
      for (let at = 0; at < piece.length; at += 1024 * 1024) {
        let part = piece.subarray(at, Math.min(piece.length, at + 1024 * 1024));
        if (part.length > budget) part = part.subarray(0, budget);
        budget -= part.length;
        ctx.stats.sent(`${object.bucket}/${object.name}`, part.length);
        if (!ctx.res.write(part)) await drained(ctx);
        if (budget <= 0) {
          // Fault injection: a connection reset in the middle of the body.
          ctx.req.socket?.destroy();
          ctx.res.destroy();
          return;
        }
        if (ctx.res.destroyed) return;
      }
    }
    offset = chunkEnd;
    if (offset > slice.end) break;
  }
  ctx.res.end();
}

function drained(ctx: RequestContext): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      ctx.res.off('drain', done).off('close', done);
      resolve();
    };
    ctx.res.on('drain', done).on('close', done);
  });
}

/** PATCH /storage/v1/b/{bucket}/o/{object}: metadata and contentType; metageneration + 1. */
export async function patchObject(ctx: RequestContext, bucket: string, name: string): Promise<void> {
  assertObjectName(name);
  const body = await readJsonObject(ctx.req);
  const changes = metadataFrom(body.metadata, true);
  const contentType = contentTypeFrom(body.contentType);
  const conditions = preconditionsFrom(ctx.query);
  const generation = ctx.query.get('generation');
  const updated = ctx.state.update(bucket, name, conditions, (current) => {
    if (generation !== null && parseInt64('generation', generation) !== current.generation) throw notFound(`No such object: ${bucket}/${name}`);
    let metadata = current.metadata ? { ...current.metadata } : undefined;
    if (body.metadata === null) metadata = undefined;
    if (changes) {
      metadata ??= {};
      for (const [key, value] of Object.entries(changes)) {
        if (value === null) delete metadata[key];
        else metadata[key] = value;
      }
    }
    return {
      ...current,
      ...(contentType !== undefined ? { contentType } : {}),
      metadata,
      metageneration: current.metageneration + 1,
      updated: new Date().toISOString(),
    };
  });
  sendJson(ctx.res, 200, objectResource(updated, ctx.baseUrl));
}

/** DELETE /storage/v1/b/{bucket}/o/{object} → 204. */
export function deleteObject(ctx: RequestContext, bucket: string, name: string): void {
  assertObjectName(name);
  const generation = ctx.query.get('generation');
  ctx.state.delete(bucket, name, preconditionsFrom(ctx.query), generation === null ? undefined : parseInt64('generation', generation));
  ctx.res.writeHead(204);
  ctx.res.end();
}
