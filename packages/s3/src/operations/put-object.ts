import { normalizeEtag } from '@mpu/core';
import { aclFromHeaders } from '../acl-headers.js';
import { objectAttributesFrom, setChecksumHeaders } from '../object-headers.js';
import { ownerOf } from './shared.js';
import { bucketOf, headerOf, keyOf } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { openPayload } from '../request-body.js';
import { quoteEtag, sendEmpty } from '../response.js';
import { setVersionIdHeader } from './shared.js';

export async function putObject(ctx: RequestContext): Promise<void> {
  const attributes = objectAttributesFrom(ctx);
  const payload = openPayload(ctx);
  const ifMatch = headerOf(ctx, 'if-match');
  const ifNoneMatch = headerOf(ctx, 'if-none-match');
  const result = await ctx.engine.putObject({
    ...attributes,
    bucket: bucketOf(ctx),
    key: keyOf(ctx),
    body: payload.body,
    expect: payload.expect,
    conditions: ifMatch === undefined && ifNoneMatch === undefined ? undefined : { ifMatch, ifNoneMatch },
    signal: ctx.signal,
    owner: ownerOf(ctx),
    acl: aclFromHeaders(ctx),
  });
  ctx.res.setHeader('ETag', quoteEtag(normalizeEtag(result.etag)));
  setVersionIdHeader(ctx, result.versionId);
  setChecksumHeaders(ctx.res, result.checksum);
  sendEmpty(ctx.res, 200);
}
