import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { NotModifiedError, S3Error } from '@mpu/core';
import type { GetObjectResult, HeadObjectResult } from '@mpu/core';
import { setChecksumHeaders, setObjectHeaders } from '../object-headers.js';
import { parseRangeHeader } from '../range.js';
import { readConditionsFrom } from '../read-conditions.js';
import { bucketOf, headerOf, keyOf, queryParam } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { sendEmpty } from '../response.js';
import { partNumberOf, setVersionIdHeader } from './shared.js';

/**
 * GetObject and HeadObject (§7): Range and `?partNumber=` reads answer 206 with
 * Content-Range; checksums only with `x-amz-checksum-mode: ENABLED`, never on range reads.
 * Conditional headers are evaluated by the engine; NotModified becomes a bodiless 304.
 */
function readInput(ctx: RequestContext) {
  const range = parseRangeHeader(headerOf(ctx, 'range'));
  const partNumber = queryParam(ctx, 'partNumber') === undefined ? undefined : partNumberOf(ctx);
  if (partNumber !== undefined && headerOf(ctx, 'range') !== undefined) {
    throw new S3Error('InvalidRequest', 'Cannot specify both Range header and partNumber query parameter');
  }
  const versionId = queryParam(ctx, 'versionId');
  return {
    bucket: bucketOf(ctx), key: keyOf(ctx), range, partNumber, conditions: readConditionsFrom(ctx),
    ...(versionId !== undefined ? { versionId } : {}),
  };
}

function writeHeaders(ctx: RequestContext, result: HeadObjectResult, partNumber: number | undefined, rangeRequested: boolean): number {
  const { res } = ctx;
  const { object, range } = result;
  setObjectHeaders(ctx, object);
  setVersionIdHeader(ctx, object.versionId);
  if (partNumber !== undefined && object.partsCount !== undefined) res.setHeader('x-amz-mp-parts-count', object.partsCount);
  if (headerOf(ctx, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED' && !rangeRequested) {
    setChecksumHeaders(res, partNumber !== undefined ? result.partChecksum ?? (object.partsCount === undefined ? object.checksum : undefined) : object.checksum);
  }
  if (range !== undefined) {
    res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${object.size}`);
    res.setHeader('Content-Length', range.end - range.start + 1);
    return 206;
  }
  res.setHeader('Content-Length', object.size);
  return 200;
}

function sendNotModified(ctx: RequestContext, error: NotModifiedError): void {
  ctx.res.setHeader('ETag', error.etag);
  ctx.res.setHeader('Last-Modified', error.lastModified.toUTCString());
  sendEmpty(ctx.res, 304);
}

/** Runs an engine read, answering 304 when the engine says the client's copy is current. */
async function readOrNotModified<T>(ctx: RequestContext, read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof NotModifiedError)) throw error;
    sendNotModified(ctx, error);
    return undefined;
  }
}

export async function headObject(ctx: RequestContext): Promise<void> {
  const input = readInput(ctx);
  const result = await readOrNotModified(ctx, () => ctx.engine.headObject(input));
  if (result === undefined) return;
  ctx.res.statusCode = writeHeaders(ctx, result, input.partNumber, input.range !== undefined);
  ctx.res.end();
}

export async function getObject(ctx: RequestContext): Promise<void> {
  const input = readInput(ctx);
  const result: GetObjectResult | undefined = await readOrNotModified(ctx, () => ctx.engine.getObject(input));
  if (result === undefined) return;
  ctx.res.statusCode = writeHeaders(ctx, result, input.partNumber, input.range !== undefined);
  try {
    // pipeline gives backpressure and tears the engine stream down if the client disconnects.
    await pipeline(Readable.from(result.body, { objectMode: false }), ctx.res);
  } catch (error) {
    // A client that hangs up mid-download is not a server fault: nothing to answer or log.
    if (ctx.signal.aborted) return;
    throw error;
  }
}
