import { badRequest } from '../gcs-error.js';
import { sendJson } from '../http-util.js';
import type { RequestContext } from '../request-context.js';
import { objectResource } from '../stored-object.js';

/** GCS returns at most 1,000 entries per page ("this parameter or 1,000 items, whichever is smaller"). */
export const MAX_LIST_RESULTS = 1000;

interface PageToken {
  /** Last entry returned: an object name, or a prefix when `prefix` is true. */
  readonly last: string;
  readonly prefix: boolean;
}

function encodeToken(token: PageToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeToken(raw: string): PageToken {
  try {
    const token = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as PageToken;
    if (typeof token.last !== 'string' || typeof token.prefix !== 'boolean') throw new Error('shape');
    return token;
  } catch {
    throw badRequest('Invalid pageToken.');
  }
}

function maxResultsOf(raw: string | null): number {
  if (raw === null) return MAX_LIST_RESULTS;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw badRequest(`Invalid value for maxResults: ${raw}`);
  return Math.min(Number(raw), MAX_LIST_RESULTS);
}

/**
 * GET /storage/v1/b/{bucket}/o — names in UTF-8 byte order, filtered by prefix and
 * [startOffset, endOffset), grouped by delimiter into `prefixes`; `maxResults` counts items
 * and prefixes together, and `nextPageToken` is left out on the last page.
 */
export function listObjects(ctx: RequestContext, bucketName: string): void {
  if (ctx.query.has('matchGlob')) throw badRequest('matchGlob is not supported by this test server.', 'notImplemented');
  const bucket = ctx.state.bucket(bucketName);
  const prefix = ctx.query.get('prefix') ?? '';
  const delimiter = ctx.query.get('delimiter') || undefined;
  const maxResults = maxResultsOf(ctx.query.get('maxResults'));
  const startOffset = ctx.query.get('startOffset');
  const endOffset = ctx.query.get('endOffset');
  const pageToken = ctx.query.get('pageToken');
  const token = pageToken ? decodeToken(pageToken) : undefined;
  const includeTrailingDelimiter = ctx.query.get('includeTrailingDelimiter') === 'true';

  const endBytes = endOffset ? Buffer.from(endOffset, 'utf8') : undefined;
  const tokenBytes = token ? Buffer.from(token.last, 'utf8') : undefined;
  // Start at the greatest of prefix, startOffset and the page token (all lower bounds).
  const candidates: Buffer[] = [Buffer.from(prefix, 'utf8')];
  if (startOffset) candidates.push(Buffer.from(startOffset, 'utf8'));
  if (tokenBytes) candidates.push(tokenBytes);
  const from = candidates.sort((a, b) => Buffer.compare(a, b))[candidates.length - 1];

  const items: unknown[] = [];
  const prefixes: string[] = [];
  let lastPrefix: string | undefined;
  let nextPageToken: string | undefined;
  let lastEntry: PageToken | undefined;

  for (const { name, bytes } of bucket.names.from(from)) {
    if (!name.startsWith(prefix)) break; // sorted: past the prefix range
    if (endBytes && Buffer.compare(bytes, endBytes) >= 0) break;
    if (token && Buffer.compare(bytes, tokenBytes!) <= 0) continue;
    if (token?.prefix && name.startsWith(token.last)) continue;
    let entry: PageToken;
    const cut = delimiter === undefined ? -1 : name.indexOf(delimiter, prefix.length);
    if (cut >= 0) {
      const group = name.slice(0, cut + delimiter!.length);
      if (group === lastPrefix) continue;
      entry = { last: group, prefix: true };
    } else {
      entry = { last: name, prefix: false };
    }
    if (items.length + prefixes.length === maxResults) {
      nextPageToken = encodeToken(lastEntry!);
      break;
    }
    if (entry.prefix) {
      prefixes.push(entry.last);
      lastPrefix = entry.last;
      if (includeTrailingDelimiter && bucket.objects.has(entry.last)) items.push(objectResource(bucket.objects.get(entry.last)!, ctx.baseUrl));
    } else {
      items.push(objectResource(bucket.objects.get(name)!, ctx.baseUrl));
    }
    lastEntry = entry;
  }
  const body: Record<string, unknown> = { kind: 'storage#objects' };
  if (items.length > 0) body.items = items;
  if (prefixes.length > 0) body.prefixes = prefixes;
  if (nextPageToken) body.nextPageToken = nextPageToken;
  sendJson(ctx.res, 200, body);
}
