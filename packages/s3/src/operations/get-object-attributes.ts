import { S3Error } from '@mpu/core';
import { checksumElementName } from '../object-headers.js';
import { bucketOf, headerOf, keyOf, queryParam } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { httpDate, sendXml } from '../response.js';
import { resultDocument } from '../xml.js';
import { checksumElements, setVersionIdHeader } from './shared.js';

const ATTRIBUTES = new Set(['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize']);

function headerInt(ctx: RequestContext, name: string): number | undefined {
  const raw = headerOf(ctx, name);
  if (raw === undefined) return undefined;
  if (!/^\d{1,10}$/.test(raw)) throw new S3Error('InvalidArgument', `Invalid ${name}`, { ArgumentName: name, ArgumentValue: raw });
  return Number(raw);
}

/** GetObjectAttributes (`GET ?attributes`); composite checksums without the `-N` suffix [rep]. */
export async function getObjectAttributes(ctx: RequestContext): Promise<void> {
  const requested = (headerOf(ctx, 'x-amz-object-attributes') ?? '').split(',').map((a) => a.trim()).filter((a) => a !== '');
  if (requested.length === 0 || requested.some((a) => !ATTRIBUTES.has(a))) {
    throw new S3Error('InvalidArgument', 'Invalid attribute name specified.', { ArgumentName: 'x-amz-object-attributes' });
  }
  const want = new Set(requested);
  const versionId = queryParam(ctx, 'versionId');
  const result = await ctx.engine.getObjectAttributes({
    bucket: bucketOf(ctx),
    key: keyOf(ctx),
    maxParts: headerInt(ctx, 'x-amz-max-parts'),
    partNumberMarker: headerInt(ctx, 'x-amz-part-number-marker'),
    ...(versionId !== undefined ? { versionId } : {}),
  });
  setVersionIdHeader(ctx, result.object.versionId);
  const { object, parts } = result;
  ctx.res.setHeader('Last-Modified', httpDate(object.lastModified));
  const checksum = object.checksum;
  sendXml(ctx.res, 200, resultDocument('GetObjectAttributesResponse', [
    want.has('ETag') ? ['ETag', object.etag.replace(/^"|"$/g, '')] : undefined,
    want.has('Checksum') && checksum !== undefined
      ? ['Checksum', [[checksumElementName(checksum.algorithm), checksum.value.replace(/-\d+$/, '')], ['ChecksumType', checksum.type]]]
      : undefined,
    want.has('ObjectParts') && parts !== undefined
      ? ['ObjectParts', [
        // The model's TotalPartsCount travels as <PartsCount>.
        ['PartsCount', parts.totalPartsCount],
        ['PartNumberMarker', parts.partNumberMarker],
        ['NextPartNumberMarker', parts.nextPartNumberMarker],
        ['MaxParts', parts.maxParts],
        ['IsTruncated', parts.isTruncated],
        ...parts.parts.map((p) => ['Part', [['PartNumber', p.partNumber], ['Size', p.size], ...checksumElements(p.checksums)]] as const),
      ]]
      : undefined,
    want.has('StorageClass') ? ['StorageClass', object.storageClass] : undefined,
    want.has('ObjectSize') ? ['ObjectSize', object.size] : undefined,
  ]));
}
