import { InvalidArgumentError } from '../errors/s3-errors.js';
import { type EngineContext, readJson, requireBucket } from './engine-context.js';
import { commonPrefixOf, compareKeys } from './key-order.js';
import { objectInfo } from './object-operations.js';
import {
  type VersionRecord, findVersion, isDeleteMarker, keyOfVersionRecord, validateVersionId, versionIdOf, versionKeys,
} from './object-versions.js';
import { type ObjectRecord, decodeRecord, recordKeys } from './records.js';
import type { ListObjectVersionsInput, ListObjectVersionsResult } from './types.js';
import { resolvePageSize } from './validation.js';

// Greater in UTF-8 byte order than any key that merely extends a prefix by BMP characters.
const PAST_PREFIX = '\u{10FFFF}';

interface Entry {
  readonly key: string;
  readonly current: boolean;
  readonly record: VersionRecord;
}

/**
 * One forward scan of the current records and one of the version records, merged by key:
 * for each key its current record first, then its version records newest first. Each store
 * listing starts at the marker, so a page costs O(page), never O(versions before it).
 */
async function* mergedEntries(
  ctx: EngineContext,
  bucket: string,
  prefix: string,
  start: { readonly objectAfter?: string; readonly versionAfter?: string },
): AsyncGenerator<Entry> {
  const objectPrefix = recordKeys.objectPrefix(bucket);
  const objects = ctx.store.listRecords(objectPrefix + prefix, start.objectAfter !== undefined ? { startAfter: start.objectAfter } : {})[Symbol.asyncIterator]();
  const versions = ctx.store.listRecords(versionKeys.prefix(bucket) + prefix, start.versionAfter !== undefined ? { startAfter: start.versionAfter } : {})[Symbol.asyncIterator]();
  try {
    let object = await objects.next();
    let version = await versions.next();
    while (!object.done || !version.done) {
      const objectKey = object.done ? undefined : object.value.key.slice(objectPrefix.length);
      const versionKey = version.done ? undefined : keyOfVersionRecord(bucket, version.value.key);
      if (objectKey !== undefined && (versionKey === undefined || compareKeys(objectKey, versionKey) <= 0)) {
        yield { key: objectKey, current: true, record: decodeRecord<ObjectRecord>(object.value!.value) };
        object = await objects.next();
      } else {
        yield { key: versionKey!, current: false, record: decodeRecord<VersionRecord>(version.value!.value) };
        version = await versions.next();
      }
    }
  } finally {
    await objects.return?.();
    await versions.return?.();
  }
}

/**
 * ListObjectVersions (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html):
 * versions and delete markers in (key, newest first) order, prefix / delimiter roll-up,
 * `key-marker` + `version-id-marker` to resume, max-keys counting versions, markers and prefixes.
 */
export async function listObjectVersions(ctx: EngineContext, input: ListObjectVersionsInput): Promise<ListObjectVersionsResult> {
  await requireBucket(ctx, input.bucket);
  const maxKeys = resolvePageSize(input.maxKeys, 'max-keys', ctx.limits);
  const prefix = input.prefix ?? '';
  const delimiter = input.delimiter || undefined;
  const keyMarker = input.keyMarker || undefined;
  const versionIdMarker = input.versionIdMarker || undefined;
  if (versionIdMarker !== undefined) {
    if (keyMarker === undefined) {
      throw new InvalidArgumentError('A version-id marker cannot be specified without a key marker.', 'version-id-marker', versionIdMarker);
    }
    validateVersionId(versionIdMarker);
  }
  const bucket = input.bucket;

  // Where the scan starts, and the key whose newest entries an earlier page already returned.
  let objectAfter: string | undefined;
  let versionAfter: string | undefined;
  let resumedKey: { key: string; currentVersionId: string | undefined } | undefined;
  if (keyMarker !== undefined) {
    objectAfter = recordKeys.object(bucket, keyMarker);
    versionAfter = versionKeys.afterKey(bucket, keyMarker);
    if (versionIdMarker !== undefined) {
      const current = await readJson<ObjectRecord>(ctx.store, recordKeys.object(bucket, keyMarker));
      const currentId = current ? versionIdOf(current.value) : undefined;
      resumedKey = { key: keyMarker, currentVersionId: currentId };
      if (currentId === versionIdMarker) versionAfter = versionKeys.ofKey(bucket, keyMarker);
      else if (versionIdMarker !== 'null') versionAfter = versionKeys.byId(bucket, keyMarker, versionIdMarker);
      else versionAfter = (await findVersion(ctx, bucket, keyMarker, versionIdMarker))?.recordKey ?? versionKeys.ofKey(bucket, keyMarker);
    }
  }

  const entries: ListObjectVersionsResult['entries'][number][] = [];
  const commonPrefixes: string[] = [];
  let isTruncated = false;
  let next: { key: string; versionId?: string } | undefined;
  let lastPrefix: string | undefined;
  // The key being listed: whether its latest entry was seen, and its current version (to skip a duplicate).
  let open: { key: string; latestSeen: boolean; currentVersionId: string | undefined } | undefined =
    resumedKey && { key: resumedKey.key, latestSeen: true, currentVersionId: resumedKey.currentVersionId };
  const full = (): boolean => entries.length + commonPrefixes.length === maxKeys;

  scan: for (;;) {
    for await (const entry of mergedEntries(ctx, bucket, prefix, { ...(objectAfter !== undefined ? { objectAfter } : {}), ...(versionAfter !== undefined ? { versionAfter } : {}) })) {
      const commonPrefix = commonPrefixOf(entry.key, prefix, delimiter);
      if (commonPrefix !== undefined) {
        if (commonPrefix === lastPrefix) continue;
        lastPrefix = commonPrefix;
        // A prefix not after the key marker was returned on an earlier page.
        if (keyMarker === undefined || compareKeys(commonPrefix, keyMarker) > 0) {
          if (full()) {
            isTruncated = true;
            break scan;
          }
          commonPrefixes.push(commonPrefix);
          next = { key: commonPrefix };
        }
        objectAfter = recordKeys.object(bucket, commonPrefix + PAST_PREFIX);
        versionAfter = versionKeys.prefix(bucket) + commonPrefix + PAST_PREFIX;
        continue scan;
      }
      if (open?.key !== entry.key) open = { key: entry.key, latestSeen: false, currentVersionId: undefined };
      const versionId = versionIdOf(entry.record);
      if (entry.current) open.currentVersionId = versionIdOf(entry.record);
      else if (open.currentVersionId === versionIdOf(entry.record)) continue; // crash leftover: also current
      if (full()) {
        isTruncated = true;
        break scan;
      }
      const isLatest = !open.latestSeen;
      open.latestSeen = true;
      const record = entry.record;
      if (isDeleteMarker(record)) {
        entries.push({ kind: 'deleteMarker', marker: { key: entry.key, versionId, isLatest, lastModified: new Date(record.lastModified) } });
      } else {
        entries.push({ kind: 'version', version: { ...objectInfo(record), versionId, isLatest } });
      }
      next = { key: entry.key, versionId };
    }
    break;
  }
  return {
    entries,
    commonPrefixes,
    isTruncated,
    ...(isTruncated && next ? { nextKeyMarker: next.key, ...(next.versionId !== undefined ? { nextVersionIdMarker: next.versionId } : {}) } : {}),
    maxKeys,
  };
}
