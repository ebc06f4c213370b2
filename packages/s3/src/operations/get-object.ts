import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { S3Error } from '@mpu/core';
import type { GetObjectResult, HeadObjectResult } from '@mpu/core';
import { setChecksumHeaders, setObjectHeaders } from '../object-headers.js';
import { parseRangeHeader } from '../range.js';
import { evaluateReadConditions, readConditionsFrom } from '../read-conditions.js';
import { bucketOf, headerOf, keyOf, queryParam } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { sendEmpty } from '../response.js';
import { partNumberOf } from './shared.js';

/**
 * GetObject and HeadObject (§7): Range and `?partNumber=` reads answer 206 with
 * Content-Range; checksums only with `x-amz-checksum-mode: ENABLED`, never on range reads.
 * Conditional headers are evaluated here against the object the engine resolved.
 */
function readInput(ctx: RequestContext) {
  const range = parseRangeHeader(headerOf(ctx, 'range'));
  const partNumber = queryParam(ctx, 'partNumber') === undefined ? undefined : partNumberOf(ctx);
  if (partNumber !== undefined && headerOf(ctx, 'range') !== undefined) {
    throw new S3Error('InvalidRequest', 'Cannot specify both Range header and partNumber query parameter');
  }
  return { bucket: bucketOf(ctx), key: keyOf(ctx), range, partNumber };
}

function writeHeaders(ctx: RequestContext, result: HeadObjectResult, partNumber: number | undefined, rangeRequested: boolean): number {
  const { res } = ctx;
  const { object, range } = result;
  setObjectHeaders(ctx, object);
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

function notModified(ctx: RequestContext, result: HeadObjectResult): void {
  ctx.res.setHeader('ETag', result.object.etag);
  ctx.res.setHeader('Last-Modified', result.object.lastModified.toUTCString());
  sendEmpty(ctx.res, 304);
}

export async function headObject(ctx: RequestContext): Promise<void> {
  const input = readInput(ctx);
  const result = await ctx.engine.headObject(input);
  if (evaluateReadConditions(readConditionsFrom(ctx), result.object) === 'not-modified') return notModified(ctx, result);
  const status = writeHeaders(ctx, result, input.partNumber, input.range !== undefined);
  ctx.res.statusCode = status;
  ctx.res.end();
}

export async function getObject(ctx: RequestContext): Promise<void> {
  const input = readInput(ctx);
  const result: GetObjectResult = await ctx.engine.getObject(input);
  if (evaluateReadConditions(readConditionsFrom(ctx), result.object) === 'not-modified') {
    await closeBody(result.body);
    return notModified(ctx, result);
  }
  ctx.res.statusCode = writeHeaders(ctx, result, input.partNumber, input.range !== undefined);
  // pipeline gives backpressure and tears the engine stream down if the client disconnects.
  await pipeline(Readable.from(result.body, { objectMode: false }), ctx.res);
}

async function closeBody(body: AsyncIterable<Uint8Array>): Promise<void> {
  const iterator = body[Symbol.asyncIterator]();
  await iterator.return?.();
}
