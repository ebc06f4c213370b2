import { createHash } from 'node:crypto';
import { S3Error, createChecksum, decodeChecksum } from '@mpu/core';
import type { ChecksumAlgorithm, PayloadExpectations } from '@mpu/core';
import { AwsChunkedDecoder } from './aws-chunked.js';
import { sendContinueIfAwaited } from './continue.js';
import { headerOf } from './request-context.js';
import type { RequestContext } from './request-context.js';

/**
 * Turns the request body into the engine's `AsyncIterable<Uint8Array>` plus the
 * `PayloadExpectations` it verifies while streaming (MD5, SHA-256, checksum header or
 * trailer, exact length). Nothing is buffered beyond the current network read.
 */

const CHECKSUM_HEADERS: Readonly<Record<string, ChecksumAlgorithm>> = {
  'x-amz-checksum-crc32': 'CRC32',
  'x-amz-checksum-crc32c': 'CRC32C',
  'x-amz-checksum-crc64nvme': 'CRC64NVME',
  'x-amz-checksum-sha1': 'SHA1',
  'x-amz-checksum-sha256': 'SHA256',
};
/** In the newest S3 model, not implemented here (S3-MULTIPART.md §4.1 → 501). */
const UNSUPPORTED_CHECKSUM_HEADERS = ['x-amz-checksum-sha512', 'x-amz-checksum-md5', 'x-amz-checksum-xxhash64', 'x-amz-checksum-xxhash3', 'x-amz-checksum-xxhash128'];
const NON_VALUE_CHECKSUM_HEADERS = new Set(['x-amz-checksum-algorithm', 'x-amz-checksum-type', 'x-amz-checksum-mode']);

export interface OpenedPayload {
  readonly body: AsyncIterable<Uint8Array>;
  readonly expect: PayloadExpectations;
  /** Decoded body length when known up front. */
  readonly length?: number;
}

function parseLength(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,16}$/.test(value)) {
    throw new S3Error('InvalidArgument', `Invalid ${name}`, { ArgumentName: name, ArgumentValue: value });
  }
  return Number(value);
}

/**
 * The raw request body as an async iterable, with an idle timeout and short-body detection.
 * The request is never destroyed here: when reading stops early (a bad chunk signature, a
 * stalled client, an engine limit) the handler must still be able to answer on the socket;
 * it marks the response `Connection: close` so the unread rest is never parsed as a request.
 */
async function* rawBody(ctx: RequestContext, contentLength: number | undefined): AsyncGenerator<Uint8Array> {
  sendContinueIfAwaited(ctx.req, ctx.res);
  const iterator = ctx.req.iterator({ destroyOnReturn: false })[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let received = 0;
  const idleMs = ctx.options.bodyIdleTimeoutMs;
  while (true) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new S3Error('RequestTimeout')), idleMs);
    });
    let step: IteratorResult<Buffer>;
    try {
      step = await Promise.race([iterator.next(), timeout]);
    } catch (error) {
      if (error instanceof S3Error) throw error;
      // The client went away mid-body (ECONNRESET / "aborted").
      throw new S3Error('IncompleteBody', undefined, {}, { cause: error });
    } finally {
      clearTimeout(timer);
    }
    if (step.done) break;
    received += step.value.length;
    ctx.bytesIn = received;
    yield step.value;
  }
  if (contentLength !== undefined && received < contentLength) {
    throw new S3Error('IncompleteBody');
  }
}

function announcedTrailers(ctx: RequestContext): string[] {
  const value = headerOf(ctx, 'x-amz-trailer');
  if (value === undefined || value.trim() === '') return [];
  return value.split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== '');
}

interface ClientChecksum {
  readonly algorithm?: ChecksumAlgorithm;
  readonly value?: string;
  readonly trailerName?: string;
}

/** The one checksum the client sent (header or announced trailer), validated for shape. */
function clientChecksum(ctx: RequestContext, trailers: readonly string[]): ClientChecksum {
  const headers = ctx.req.headers;
  for (const name of UNSUPPORTED_CHECKSUM_HEADERS) {
    if (headers[name] !== undefined || trailers.includes(name)) {
      throw new S3Error('NotImplemented', `Checksum ${name.slice('x-amz-checksum-'.length)} is not implemented`, { Header: name });
    }
  }
  const fromHeaders = Object.keys(headers).filter((name) => name.startsWith('x-amz-checksum-') && !NON_VALUE_CHECKSUM_HEADERS.has(name));
  const unknown = [...fromHeaders, ...trailers].find((name) => CHECKSUM_HEADERS[name] === undefined);
  if (unknown !== undefined) {
    if (trailers.includes(unknown)) throw new S3Error('InvalidRequest', `Unsupported trailer ${unknown}`);
    throw new S3Error('InvalidRequest', `Unsupported checksum header ${unknown}`);
  }
  if (fromHeaders.length + trailers.length > 1) {
    throw new S3Error('InvalidRequest', 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  }
  const sdkAlgorithm = headerOf(ctx, 'x-amz-sdk-checksum-algorithm')?.toUpperCase();
  const name = fromHeaders[0] ?? trailers[0];
  const algorithm = name === undefined ? undefined : CHECKSUM_HEADERS[name];
  if (sdkAlgorithm !== undefined && sdkAlgorithm !== algorithm) {
    throw new S3Error('InvalidRequest', 'Value for x-amz-sdk-checksum-algorithm header is invalid.');
  }
  if (fromHeaders[0] !== undefined) return { algorithm, value: headerOf(ctx, fromHeaders[0]) };
  return { algorithm, trailerName: trailers[0] };
}

/** Opens the body of PutObject / UploadPart. Throws (before reading) on header problems. */
export function openPayload(ctx: RequestContext): OpenedPayload {
  const contentLength = parseLength(headerOf(ctx, 'content-length'), 'Content-Length');
  if (contentLength === undefined && headerOf(ctx, 'transfer-encoding') === undefined) {
    throw new S3Error('MissingContentLength');
  }
  const mode = ctx.auth.payload;
  const streaming = mode.kind === 'streaming-signed' || mode.kind === 'streaming-unsigned-trailer';
  const withTrailer = mode.kind === 'streaming-unsigned-trailer' || (mode.kind === 'streaming-signed' && mode.trailer);
  const trailers = announcedTrailers(ctx);
  if (trailers.length > 0 && !withTrailer) {
    throw new S3Error('InvalidRequest', 'x-amz-trailer requires a STREAMING-…-TRAILER x-amz-content-sha256');
  }
  const checksum = clientChecksum(ctx, trailers);
  const decodedLength = streaming
    ? parseLength(headerOf(ctx, 'x-amz-decoded-content-length'), 'x-amz-decoded-content-length')
    : contentLength;
  const raw = rawBody(ctx, contentLength);
  let body: AsyncIterable<Uint8Array> = raw;
  let checksumValue: PayloadExpectations['checksum'] = checksum.value;
  if (streaming) {
    const decoder = new AwsChunkedDecoder({
      signing: ctx.auth.chunkSigning,
      trailer: withTrailer,
      announcedTrailers: trailers,
      decodedContentLength: decodedLength,
    });
    body = decoder.decode(raw);
    const trailerName = checksum.trailerName;
    if (trailerName !== undefined) checksumValue = () => decoder.trailer(trailerName);
  }
  const expect: PayloadExpectations = {
    contentMd5: headerOf(ctx, 'content-md5'),
    sha256Hex: mode.kind === 'sha256' ? mode.hex : undefined,
    contentLength: decodedLength,
    checksumAlgorithm: checksum.algorithm,
    checksum: checksumValue,
  };
  return { body: countDecoded(ctx, body, streaming), expect, length: decodedLength };
}

/** For aws-chunked bodies the log reports decoded bytes. */
async function* countDecoded(ctx: RequestContext, body: AsyncIterable<Uint8Array>, streaming: boolean): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of body) {
    total += chunk.length;
    if (streaming) ctx.bytesIn = total;
    yield chunk;
  }
}

/**
 * Reads a small body (XML) fully, capped at `limit` bytes, verifying the signed SHA-256 and
 * any Content-MD5 itself (the engine never sees these bodies).
 */
export async function readSmallBody(ctx: RequestContext, limit: number): Promise<Buffer> {
  const declared = parseLength(headerOf(ctx, 'content-length'), 'Content-Length');
  if (declared !== undefined && declared > limit) {
    throw new S3Error('MalformedXML', undefined, {}, { cause: new Error(`XML body of ${declared} bytes exceeds the ${limit}-byte cap`) });
  }
  const payload = openPayloadForSmallBody(ctx, declared);
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of payload.body) {
    size += chunk.length;
    if (size > limit) {
      throw new S3Error('MalformedXML', undefined, {}, { cause: new Error(`XML body exceeds the ${limit}-byte cap`) });
    }
    parts.push(Buffer.from(chunk));
  }
  const body = Buffer.concat(parts);
  const { sha256Hex, contentMd5 } = payload.expect;
  if (sha256Hex !== undefined) {
    const computed = createHash('sha256').update(body).digest('hex');
    if (computed !== sha256Hex) {
      throw new S3Error('XAmzContentSHA256Mismatch', undefined, { ClientComputedContentSHA256: sha256Hex, S3ComputedContentSHA256: computed });
    }
  }
  if (contentMd5 !== undefined) {
    const raw = Buffer.from(contentMd5, 'base64');
    if (raw.length !== 16 || raw.toString('base64') !== contentMd5) throw new S3Error('InvalidDigest', undefined, { 'Content-MD5': contentMd5 });
    const computed = createHash('md5').update(body).digest('base64');
    if (computed !== contentMd5) throw new S3Error('BadDigest', undefined, { ExpectedDigest: contentMd5, CalculatedDigest: computed });
  }
  verifyChecksum(body, payload.expect);
  return body;
}

/** `x-amz-checksum-*` on XML bodies (SDKs send it instead of Content-MD5 since 2025). */
function verifyChecksum(body: Buffer, expect: PayloadExpectations): void {
  const { checksumAlgorithm: algorithm } = expect;
  const claimed = typeof expect.checksum === 'function' ? expect.checksum() : expect.checksum;
  if (algorithm === undefined || claimed === undefined) return;
  if (decodeChecksum(algorithm, claimed) === undefined) {
    throw new S3Error('InvalidRequest', `Value for x-amz-checksum-${algorithm.toLowerCase()} header is invalid.`);
  }
  const state = createChecksum(algorithm);
  state.update(body);
  if (state.digest().toString('base64') !== claimed) {
    throw new S3Error('BadDigest', `The ${algorithm} you specified did not match the calculated checksum.`);
  }
}

function openPayloadForSmallBody(ctx: RequestContext, declared: number | undefined): OpenedPayload {
  if (declared === undefined && headerOf(ctx, 'transfer-encoding') === undefined) {
    return { body: (async function* () {})(), expect: { sha256Hex: ctx.auth.payload.kind === 'sha256' ? ctx.auth.payload.hex : undefined } };
  }
  return openPayload(ctx);
}
