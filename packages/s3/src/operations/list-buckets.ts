import { queryParam } from '../request-context.js';
import type { RequestContext } from '../request-context.js';
import { sendXml, xmlDate } from '../response.js';
import { resultDocument } from '../xml.js';
import { intParam, ownerOf, ownerXml } from './shared.js';

/**
 * ListBuckets with the pagination AWS added in 2024: `max-buckets`, `continuation-token`,
 * `prefix` (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html). With
 * several owners, each sees the buckets it owns (and those from before owners were recorded),
 * as AWS lists only the caller's buckets; a page may then hold fewer than `max-buckets`.
 */
export async function listBuckets(ctx: RequestContext): Promise<void> {
  const prefix = queryParam(ctx, 'prefix');
  const continuationToken = queryParam(ctx, 'continuation-token');
  const maxBuckets = intParam(ctx, 'max-buckets');
  const result = await ctx.engine.listBuckets({
    ...(prefix === undefined || prefix === '' ? {} : { prefix }),
    ...(continuationToken === undefined || continuationToken === '' ? {} : { continuationToken }),
    ...(maxBuckets === undefined ? {} : { maxBuckets }),
  });
  const caller = ownerOf(ctx).id;
  const buckets = ctx.options.singleOwner ? result.buckets : result.buckets.filter((b) => b.owner === undefined || b.owner.id === caller);
  sendXml(ctx.res, 200, resultDocument('ListAllMyBucketsResult', [
    ['Buckets', buckets.map((b) => ['Bucket', [['Name', b.name], ['CreationDate', xmlDate(b.created)]]] as const)],
    ownerXml('Owner', ownerOf(ctx)),
    result.continuationToken === undefined ? undefined : ['ContinuationToken', result.continuationToken],
    prefix === undefined ? undefined : ['Prefix', prefix],
  ]));
}
