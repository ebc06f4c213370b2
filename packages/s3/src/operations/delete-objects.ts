import { S3Error } from '@mpu/core';
import { bucketOf } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { readSmallBody } from '../request-body.js';
import { sendXml } from '../response.js';
import { childElements, childText, parseXmlDocument, resultDocument } from '../xml.js';
import type { XmlChild } from '../xml.js';

const MAX_KEYS = 1000;

/** DeleteObjects (`POST /bucket?delete`): `<Delete><Quiet/><Object><Key/></Object>…</Delete>`. */
export async function deleteObjects(ctx: RequestContext): Promise<void> {
  const body = await readSmallBody(ctx, ctx.options.maxXmlBodyBytes);
  const root = parseXmlDocument(body.toString('utf8'), 'Delete');
  const objects = childElements(root, 'Object');
  if (objects.length === 0 || objects.length > MAX_KEYS) {
    throw new S3Error('MalformedXML', undefined, {}, { cause: new Error('1 to 1000 objects are required') });
  }
  const entries = objects.map((o) => {
    const key = childText(o, 'Key');
    if (key === undefined) throw new S3Error('MalformedXML', undefined, {}, { cause: new Error('Object without Key') });
    const versionId = childText(o, 'VersionId');
    return versionId === undefined ? { key } : { key, versionId };
  });
  const quiet = childText(root, 'Quiet')?.trim().toLowerCase() === 'true';
  const result = await ctx.engine.deleteObjects(bucketOf(ctx), entries);
  // Deleted: VersionId when the request named one; DeleteMarker + DeleteMarkerVersionId when a
  // marker was created or removed (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeletedObject.html).
  let next = 0;
  const deleted = result.deleted.map((key, i): XmlChild => {
    while (next < entries.length && entries[next]!.key !== key) next++;
    const requested = entries[next++]?.versionId;
    const outcome = result.deletedVersions?.[i];
    return ['Deleted', [
      ['Key', key],
      requested === undefined ? undefined : ['VersionId', requested],
      outcome?.deleteMarker ? ['DeleteMarker', true] : undefined,
      outcome?.deleteMarker && outcome.versionId !== undefined ? ['DeleteMarkerVersionId', outcome.versionId] : undefined,
    ]];
  });
  sendXml(ctx.res, 200, resultDocument('DeleteResult', [
    ...(quiet ? [] : deleted),
    ...result.errors.map((e): XmlChild => ['Error', [
      ['Key', e.key], e.versionId === undefined ? undefined : ['VersionId', e.versionId], ['Code', e.code], ['Message', e.message],
    ]]),
  ]));
}
