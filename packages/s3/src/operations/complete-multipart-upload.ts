import { S3Error } from '@mpu/core';
import type { ChecksumAlgorithm, ChecksumValues, CompletedPartInput } from '@mpu/core';
import { checksumElementName, parseChecksumType } from '../object-headers.js';
import { headerOf, requestOrigin } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { readSmallBody } from '../request-body.js';
import { respondWithKeepAlive } from '../keep-alive-response.js';
import { quoteEtag } from '../response.js';
import { s3UriEncode } from '../sigv4.js';
import { childElements, childText, parseXmlDocument, resultDocument } from '../xml.js';
import { setVersionIdHeader, uploadRefOf } from './shared.js';

const ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];

function malformed(reason: string): S3Error {
  return new S3Error('MalformedXML', undefined, {}, { cause: new Error(reason) });
}

/** The `<CompleteMultipartUpload>` body: ≥ 1 Part, each with PartNumber and ETag (§1.4). */
export function parseCompleteBody(xml: string): CompletedPartInput[] {
  const root = parseXmlDocument(xml, 'CompleteMultipartUpload');
  const parts = childElements(root, 'Part');
  if (parts.length === 0) throw malformed('no Part');
  return parts.map((part) => {
    const number = childText(part, 'PartNumber')?.trim();
    const etag = childText(part, 'ETag')?.trim();
    if (number === undefined || etag === undefined) throw malformed('Part without PartNumber or ETag');
    if (!/^-?\d{1,10}$/.test(number)) throw malformed(`PartNumber "${number}" is not an integer`);
    const checksums: Partial<Record<ChecksumAlgorithm, string>> = {};
    for (const algorithm of ALGORITHMS) {
      const value = childText(part, checksumElementName(algorithm));
      if (value !== undefined) checksums[algorithm] = value.trim();
    }
    return { partNumber: Number(number), etag, checksums: checksums as ChecksumValues };
  });
}

/** The whole-object `x-amz-checksum-<alg>` header, if any. */
function wholeObjectChecksum(ctx: RequestContext): { algorithm: ChecksumAlgorithm; value: string } | undefined {
  for (const algorithm of ALGORITHMS) {
    const value = headerOf(ctx, `x-amz-checksum-${algorithm.toLowerCase()}`);
    if (value !== undefined) return { algorithm, value };
  }
  return undefined;
}

/** Absolute URL of the object, in the addressing style the client used. */
function locationOf(ctx: RequestContext, bucket: string, key: string): string {
  const path = ctx.address.virtualHosted ? `/${s3UriEncode(key, true)}` : `/${bucket}/${s3UriEncode(key, true)}`;
  return `${requestOrigin(ctx)}${ctx.mountPath ?? ''}${path}`;
}

export async function completeMultipartUpload(ctx: RequestContext): Promise<void> {
  const ref = uploadRefOf(ctx);
  const body = await readSmallBody(ctx, ctx.options.maxXmlBodyBytes);
  const parts = parseCompleteBody(body.toString('utf8'));
  const objectSizeHeader = headerOf(ctx, 'x-amz-mp-object-size');
  if (objectSizeHeader !== undefined && !/^\d{1,16}$/.test(objectSizeHeader)) {
    throw new S3Error('InvalidRequest', 'Value for x-amz-mp-object-size header is invalid.');
  }
  const ifMatch = headerOf(ctx, 'if-match');
  const ifNoneMatch = headerOf(ctx, 'if-none-match');
  const work = ctx.engine.completeMultipartUpload({
    ...ref,
    parts,
    checksum: wholeObjectChecksum(ctx),
    checksumType: parseChecksumType(headerOf(ctx, 'x-amz-checksum-type')),
    objectSize: objectSizeHeader === undefined ? undefined : Number(objectSizeHeader),
    conditions: ifMatch === undefined && ifNoneMatch === undefined ? undefined : { ifMatch, ifNoneMatch },
  }).then((result) => {
    // A Complete answered with keep-alive whitespace has sent its headers already (no version header then).
    setVersionIdHeader(ctx, result.versionId);
    return result;
  }).then((result) => resultDocument('CompleteMultipartUploadResult', [
    ['Location', locationOf(ctx, result.bucket, result.key)],
    ['Bucket', result.bucket],
    ['Key', result.key],
    ['ETag', quoteEtag(result.etag)],
    result.checksum === undefined ? undefined : [checksumElementName(result.checksum.algorithm), result.checksum.value],
    result.checksum === undefined ? undefined : ['ChecksumType', result.checksum.type],
  ]));
  await respondWithKeepAlive(ctx, work, ctx.options.completeKeepAliveMs);
}
