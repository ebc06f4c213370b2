import { S3Error } from '@mpu/core';
import { bucketOf } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { readSmallBody } from '../request-body.js';
import { sendXml } from '../response.js';
import { childElements, childText, parseXmlDocument, resultDocument } from '../xml.js';

const MAX_KEYS = 1000;

/** DeleteObjects (`POST /bucket?delete`): `<Delete><Quiet/><Object><Key/></Object>…</Delete>`. */
export async function deleteObjects(ctx: RequestContext): Promise<void> {
  const body = await readSmallBody(ctx, ctx.options.maxXmlBodyBytes);
  const root = parseXmlDocument(body.toString('utf8'), 'Delete');
  const objects = childElements(root, 'Object');
  if (objects.length === 0 || objects.length > MAX_KEYS) {
    throw new S3Error('MalformedXML', undefined, {}, { cause: new Error('1 to 1000 objects are required') });
  }
  const keys = objects.map((o) => {
    const key = childText(o, 'Key');
    if (key === undefined) throw new S3Error('MalformedXML', undefined, {}, { cause: new Error('Object without Key') });
    return key;
  });
  const quiet = childText(root, 'Quiet')?.trim().toLowerCase() === 'true';
  const result = await ctx.engine.deleteObjects(bucketOf(ctx), keys);
  sendXml(ctx.res, 200, resultDocument('DeleteResult', [
    ...(quiet ? [] : result.deleted.map((key) => ['Deleted', [['Key', key]]] as const)),
    ...result.errors.map((e) => ['Error', [['Key', e.key], ['Code', e.code], ['Message', e.message]]] as const),
  ]));
}
