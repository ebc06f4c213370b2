import { PayloadHasher, decodeChecksum, encodeChecksum } from '../checksums/index.js';
import {
  BadDigestError, EntityTooLargeError, IncompleteBodyError, InvalidDigestError, InvalidRequestError,
  XAmzContentSHA256MismatchError,
} from '../errors/s3-errors.js';
import type { EngineContext } from './engine-context.js';
import type { ChecksumAlgorithm, ChecksumValues, PayloadExpectations } from './types.js';
import { validateChecksumAlgorithm } from './validation.js';

export interface StagePayloadInput {
  /** Store upload namespace and the attempt's partId. */
  readonly upload: string;
  readonly partId: string;
  readonly body: AsyncIterable<Uint8Array>;
  readonly expect?: PayloadExpectations;
  /** Largest body accepted; beyond it EntityTooLarge, and reading stops. */
  readonly maxSize: number;
  /** Checksums to compute whatever the client sent. */
  readonly algorithms: readonly ChecksumAlgorithm[];
  readonly signal?: AbortSignal;
}

export interface StagedPayload {
  readonly size: number;
  readonly md5: Buffer;
  /** base64, every computed algorithm. */
  readonly checksums: ChecksumValues;
}

const STRICT_BASE64_MD5 = /^[A-Za-z0-9+/]{22}==$/;

/** Content-MD5 must be standard base64 of exactly 16 bytes (S3-MULTIPART.md §4.6). */
function decodeContentMd5(value: string): Buffer {
  const raw = STRICT_BASE64_MD5.test(value) ? Buffer.from(value, 'base64') : undefined;
  if (!raw || raw.length !== 16 || raw.toString('base64') !== value) throw new InvalidDigestError(value);
  return raw;
}

function decodeClientChecksum(algorithm: ChecksumAlgorithm, value: string): Buffer {
  const raw = decodeChecksum(algorithm, value);
  if (!raw) throw new InvalidRequestError(`Value for x-amz-checksum-${algorithm.toLowerCase()} header is invalid.`);
  return raw;
}

/**
 * Streams a body into a new part blob while computing MD5, the requested checksums and (for
 * signed payloads) SHA-256 in the same pass, then verifies what the client claimed. Nothing
 * is buffered: each chunk is hashed and handed to the store. On any failure the blob is
 * discarded and the caller's current part, if any, is untouched (it lives under another partId).
 */
export async function stagePayload(ctx: EngineContext, input: StagePayloadInput): Promise<StagedPayload> {
  const { expect = {}, maxSize } = input;
  // Header-level checks come before the body is read (S3-MULTIPART.md §1.2 order: size first).
  if (expect.contentLength !== undefined && expect.contentLength > maxSize) {
    throw new EntityTooLargeError(expect.contentLength, maxSize);
  }
  const expectedMd5 = expect.contentMd5 === undefined ? undefined : decodeContentMd5(expect.contentMd5);
  const clientAlgorithm = expect.checksumAlgorithm === undefined ? undefined : validateChecksumAlgorithm(expect.checksumAlgorithm);
  const headerChecksum = clientAlgorithm && typeof expect.checksum === 'string'
    ? decodeClientChecksum(clientAlgorithm, expect.checksum)
    : undefined;

  const algorithms = new Set(input.algorithms);
  if (clientAlgorithm) algorithms.add(clientAlgorithm);
  const hasher = new PayloadHasher({ algorithms: [...algorithms], sha256: expect.sha256Hex !== undefined });

  let streamError: Error | undefined;
  let received = 0;
  const contentLength = expect.contentLength;
  async function* hashed(): AsyncIterable<Uint8Array> {
    for await (const chunk of input.body) {
      received += chunk.byteLength;
      if (received > maxSize) {
        // Stop reading at once: the rest of an oversized body is never pulled from the client.
        throw (streamError = new EntityTooLargeError(contentLength ?? received, maxSize));
      }
      if (contentLength !== undefined && received > contentLength) {
        throw (streamError = new IncompleteBodyError(contentLength, received));
      }
      hasher.update(chunk);
      yield chunk;
    }
  }

  const discard = () => ctx.store.discard(input.upload, [input.partId]).catch(() => undefined);
  try {
    await ctx.store.writePart(input.upload, input.partId, hashed(), input.signal ? { signal: input.signal } : undefined);
  } catch (error) {
    await discard();
    throw streamError ?? error;
  }

  try {
    const digest = hasher.digest();
    if (contentLength !== undefined && digest.size !== contentLength) {
      throw new IncompleteBodyError(contentLength, digest.size);
    }
    if (expectedMd5 && !expectedMd5.equals(digest.md5)) {
      throw BadDigestError.contentMd5(expect.contentMd5 ?? '', digest.md5.toString('base64'));
    }
    if (clientAlgorithm) {
      let claimed = headerChecksum;
      if (typeof expect.checksum === 'function') {
        const trailer = expect.checksum();
        if (trailer === undefined) throw new InvalidRequestError(`The x-amz-checksum-${clientAlgorithm.toLowerCase()} trailer was not received.`);
        claimed = decodeClientChecksum(clientAlgorithm, trailer);
      }
      const computed = digest.checksums[clientAlgorithm];
      if (claimed && (!computed || !claimed.equals(computed))) throw BadDigestError.checksum(clientAlgorithm);
    }
    if (expect.sha256Hex !== undefined) {
      const computed = digest.sha256?.toString('hex') ?? '';
      if (expect.sha256Hex.toLowerCase() !== computed) throw new XAmzContentSHA256MismatchError(expect.sha256Hex, computed);
    }
    const checksums: Record<string, string> = {};
    for (const [algorithm, raw] of Object.entries(digest.checksums)) checksums[algorithm] = encodeChecksum(raw);
    return { size: digest.size, md5: digest.md5, checksums };
  } catch (error) {
    await discard();
    throw error;
  }
}
