import { randomBytes } from 'node:crypto';
import { GcsHttpError, badRequest, notFound } from '../gcs-error.js';
import { sendJson } from '../http-util.js';
import { ObjectBuilder } from '../object-builder.js';
import type { Preconditions } from '../preconditions.js';
import { countedBody, type RequestContext } from '../request-context.js';
import { objectResource, type StoredObject } from '../stored-object.js';
import { commitUpload, hashesFromHeader } from './uploads.js';

/** GCS requires every chunk but the last to be a multiple of 256 KiB. */
export const RESUMABLE_CHUNK_MULTIPLE = 256 * 1024;

interface SessionTarget {
  readonly bucket: string;
  readonly name: string;
  readonly contentType: string;
  readonly metadata: Record<string, string> | undefined;
  readonly conditions: Preconditions;
  readonly expectedSize: number | undefined;
}

interface Session extends SessionTarget {
  /** Persisted bytes; hashes are computed at finalize, so a failed request can be dropped. */
  chunks: Buffer[];
  size: number;
  result?: StoredObject;
}

export class ResumableSessions {
  readonly #sessions = new Map<string, Session>();

  create(target: SessionTarget): string {
    const id = randomBytes(16).toString('hex');
    this.#sessions.set(id, { ...target, chunks: [], size: 0 });
    return id;
  }

  get(id: string | null): Session {
    const session = id === null ? undefined : this.#sessions.get(id);
    if (!session) throw notFound('No such upload session.');
    return session;
  }

  delete(id: string): void {
    this.#sessions.delete(id);
  }

  clear(): void {
    this.#sessions.clear();
  }
}

interface ContentRange {
  /** Undefined for a status query (`bytes *` + `/TOTAL` or `/*`). */
  readonly start?: number;
  /** Undefined when the end is open (`bytes 0-*` + `/*`: the rest of the object is in this request). */
  readonly end?: number;
  readonly total?: number;
}

function parseContentRange(header: string | undefined): ContentRange | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes (?:(\d+)-(\d+|\*)|\*)\/(\d+|\*)$/.exec(header.trim());
  if (!match) throw badRequest(`Invalid Content-Range: ${header}`);
  const [, start, end, total] = match;
  const number = (text: string | undefined): number | undefined => (text === undefined || text === '*' ? undefined : Number(text));
  const range = { start: number(start), end: number(end), total: number(total) };
  if (range.start !== undefined && range.end !== undefined && range.end < range.start) throw badRequest(`Invalid Content-Range: ${header}`);
  return range;
}

/** 308 Resume Incomplete, with `Range` only once something is persisted. */
function resumeIncomplete(ctx: RequestContext, session: Session): void {
  const headers: Record<string, string> = { 'Content-Length': '0' };
  if (session.size > 0) headers.Range = `bytes=0-${session.size - 1}`;
  ctx.res.writeHead(308, headers);
  ctx.res.end();
}

function finalize(ctx: RequestContext, session: Session): void {
  if (session.expectedSize !== undefined && session.expectedSize !== session.size) {
    throw badRequest(`Upload declared ${session.expectedSize} bytes (X-Upload-Content-Length) but ${session.size} were sent.`);
  }
  const builder = new ObjectBuilder();
  for (const chunk of session.chunks) builder.append(chunk);
  session.result = commitUpload(ctx, session, builder.finish(), hashesFromHeader(ctx.req.headers['x-goog-hash']));
  session.chunks = [];
  sendJson(ctx.res, 200, objectResource(session.result, ctx.baseUrl));
}

/** PUT <session URL>: a chunk, a final chunk, or a status query (Content-Range `bytes *` + `/*`, empty body). */
export async function putResumable(ctx: RequestContext): Promise<void> {
  const session = ctx.sessions.get(ctx.query.get('upload_id'));
  if (session.result) {
    // A PUT to a completed session returns the object again (what the client's retry path expects).
    for await (const chunk of ctx.req) void chunk;
    sendJson(ctx.res, 200, objectResource(session.result, ctx.baseUrl));
    return;
  }
  const range = parseContentRange(ctx.req.headers['content-range']);
  if (range && range.start === undefined) {
    for await (const chunk of ctx.req) if ((chunk as Buffer).length > 0) throw badRequest('A status query must have an empty body.');
    if (range.total !== undefined && range.total === session.size) return finalize(ctx, session);
    return resumeIncomplete(ctx, session);
  }
  const start = range?.start ?? 0;
  if (start > session.size) {
    throw badRequest(`Content-Range starts at ${start} but only ${session.size} bytes are persisted.`);
  }
  // Bytes before the persisted offset were already received: skip them, as GCS does.
  let skip = session.size - start;
  const received: Buffer[] = [];
  let length = 0;
  for await (const raw of countedBody(ctx, `${session.bucket}/${session.name}`)) {
    length += raw.length;
    let chunk = raw;
    if (skip > 0) {
      const dropped = Math.min(skip, chunk.length);
      skip -= dropped;
      chunk = chunk.subarray(dropped);
    }
    if (chunk.length > 0) received.push(chunk);
  }
  // Only a request that arrived whole is persisted; a cut-off one leaves the session as it was.
  if (range?.end !== undefined && length !== range.end - start + 1) {
    throw badRequest(`Content-Range covers ${range.end - start + 1} bytes but the body has ${length}.`);
  }
  const newSize = start + length;
  const isFinal = range === undefined || range.end === undefined || (range.total !== undefined && newSize === range.total);
  if (range?.total !== undefined && newSize > range.total) throw badRequest('Content-Range goes past the declared total size.');
  if (!isFinal && length % RESUMABLE_CHUNK_MULTIPLE !== 0) {
    throw new GcsHttpError(400, 'invalid', `Non-final chunks must be a multiple of ${RESUMABLE_CHUNK_MULTIPLE} bytes; got ${length}.`);
  }
  session.chunks.push(...received);
  session.size = Math.max(session.size, newSize);
  if (isFinal) return finalize(ctx, session);
  resumeIncomplete(ctx, session);
}

/** DELETE <session URL>: cancels the upload; GCS answers 499. */
export function cancelResumable(ctx: RequestContext): void {
  const id = ctx.query.get('upload_id');
  ctx.sessions.get(id);
  ctx.sessions.delete(id!);
  sendJson(ctx.res, 499, { error: { code: 499, message: 'Client Closed Request', errors: [{ reason: 'clientClosedRequest', message: 'Client Closed Request' }] } });
}
