import type { DataHandle } from '../blob-store.js';
import { InvalidVersionIdError } from '../errors/s3-errors.js';
import { createUploadId, isUploadId } from '../upload-id.js';
import { type EngineContext, type Versioned, readJson, tryDeleteRecord, tryWriteJson } from './engine-context.js';
import { type ObjectRecord, decodeRecord } from './records.js';
import type { VersioningStatus } from './types.js';

/**
 * Version records (S3 versioning, https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html).
 *
 *   object/<bucket>/<key>                 the CURRENT version (unchanged layout; absent when the
 *                                         key has no current object or its latest is a delete marker)
 *   version/<bucket>/<key>\0<sortKey>     every NON-CURRENT version and every delete marker
 *
 * `sortKey` is the version id with each character complemented in the base64url alphabet, so a
 * forward scan lists a key's versions newest first (version ids start with 12 hex digits of
 * creation time, like upload ids), and `key-marker` / `version-id-marker` become `startAfter`.
 * `\0` ends the key: it sorts below every character, so all versions of `a` come before those
 * of `a/b` (a key that itself contains U+0000 — which XML cannot carry — may interleave).
 *
 * A record may briefly exist in both places (a crash between writing the version record and
 * swapping the current record): readers and listings treat the current record as the truth
 * and skip the duplicate, and the next write of the key overwrites nothing (ifAbsent).
 */
export const NULL_VERSION_ID = 'null';

export interface DeleteMarkerRecord {
  readonly bucket: string;
  readonly key: string;
  readonly versionId: string;
  readonly lastModified: string;
  readonly deleteMarker: true;
  readonly versionOrder?: string;
}

export type VersionRecord = ObjectRecord | DeleteMarkerRecord;

export function isDeleteMarker(record: VersionRecord): record is DeleteMarkerRecord {
  return 'deleteMarker' in record && record.deleteMarker === true;
}

export function versionIdOf(record: VersionRecord): string {
  return record.versionId ?? NULL_VERSION_ID;
}

const ALPHABET = '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';

function complement(value: string): string {
  let out = '';
  for (const char of value) out += ALPHABET[ALPHABET.length - 1 - ALPHABET.indexOf(char)];
  return out;
}

let lastVersionMs = 0;

/**
 * Unguessable and time-ordered: the upload-id format (12 hex digits of ms + 128 random bits).
 * Within a process the millisecond part strictly increases (a write in the same millisecond
 * takes the next one), so a process's versions list in the order it wrote them; across
 * processes the order is the clocks'.
 */
export function createVersionId(now: Date): string {
  lastVersionMs = Math.max(now.getTime(), lastVersionMs + 1);
  return createUploadId(new Date(lastVersionMs));
}

/** `null` or one of ours; anything else → 400 InvalidArgument "Invalid version id specified". */
export function validateVersionId(versionId: string): void {
  if (versionId !== NULL_VERSION_ID && !isUploadId(versionId)) throw new InvalidVersionIdError(versionId);
}

/**
 * A null version sorts by the order id it was stamped with (suspended writes), else — an object
 * written before versioning was enabled — by its write time, after real ids of that millisecond.
 */
function sortKeyOf(record: VersionRecord): string {
  if (record.versionId !== undefined && record.versionId !== NULL_VERSION_ID) return complement(record.versionId);
  if (record.versionOrder !== undefined) return complement(record.versionOrder);
  const ms = Math.max(0, new Date(record.lastModified).getTime());
  return complement(ms.toString(16).padStart(12, '0') + '-'.repeat(22));
}

export const versionKeys = {
  prefix: (bucket: string) => `version/${bucket}/`,
  ofKey: (bucket: string, key: string) => `version/${bucket}/${key}\u0000`,
  /** Just past every version of `key`. */
  afterKey: (bucket: string, key: string) => `version/${bucket}/${key}\u0001`,
  record: (record: VersionRecord) => `version/${record.bucket}/${record.key}\u0000${sortKeyOf(record)}`,
  /** Record key of a non-null version id (null versions are found by `findVersion`). */
  byId: (bucket: string, key: string, versionId: string) => `version/${bucket}/${key}\u0000${complement(versionId)}`,
};

/** Bytes a version record key adds around an object key: `version/`, bucket, `/`, `\0`, sort key. */
export const VERSION_RECORD_KEY_OVERHEAD = 'version/'.length + 63 + 1 + 1 + 34;

/** The object key a version record key belongs to. */
export function keyOfVersionRecord(bucket: string, recordKey: string): string {
  return recordKey.slice(versionKeys.prefix(bucket).length, recordKey.lastIndexOf('\u0000'));
}

/**
 * Writes a version record; idempotent, since a record key names one version: if it exists it
 * holds this version already (an earlier attempt, or another writer retiring the same current).
 */
export async function writeVersionRecord(ctx: EngineContext, record: VersionRecord): Promise<void> {
  await tryWriteJson(ctx.store, versionKeys.record(record), record, { ifAbsent: true });
}

export interface StoredVersion extends Versioned<VersionRecord> {
  readonly recordKey: string;
}

/** A key's version records, newest first. */
export async function* versionsOfKey(ctx: EngineContext, bucket: string, key: string): AsyncIterable<StoredVersion> {
  for await (const record of ctx.store.listRecords(versionKeys.ofKey(bucket, key))) {
    yield { recordKey: record.key, value: decodeRecord<VersionRecord>(record.value), version: record.version };
  }
}

export async function newestVersionOf(ctx: EngineContext, bucket: string, key: string): Promise<StoredVersion | undefined> {
  for await (const record of ctx.store.listRecords(versionKeys.ofKey(bucket, key), { limit: 1 })) {
    return { recordKey: record.key, value: decodeRecord<VersionRecord>(record.value), version: record.version };
  }
  return undefined;
}

/** A non-current version (or delete marker) by id; `null` costs a scan of the key's versions. */
export async function findVersion(ctx: EngineContext, bucket: string, key: string, versionId: string): Promise<StoredVersion | undefined> {
  if (versionId !== NULL_VERSION_ID) {
    const recordKey = versionKeys.byId(bucket, key, versionId);
    const record = await readJson<VersionRecord>(ctx.store, recordKey);
    return record && { ...record, recordKey };
  }
  for await (const version of versionsOfKey(ctx, bucket, key)) {
    if (versionIdOf(version.value) === NULL_VERSION_ID) return version;
  }
  return undefined;
}

/** Frees data no record names any more; never fails the request that made it unreachable. */
export async function freeData(ctx: EngineContext, handle: DataHandle): Promise<void> {
  await ctx.store.deleteData(handle).catch(() => undefined);
}

/**
 * Removes non-current `null` versions of a key (a suspended bucket keeps one null version: the
 * newest write replaces it, https://docs.aws.amazon.com/AmazonS3/latest/userguide/VersionSuspendedBehavior.html),
 * except the record `keep` names and any data the current record still uses.
 */
export async function removeOlderNullVersions(
  ctx: EngineContext,
  bucket: string,
  key: string,
  keep: { readonly recordKey?: string; readonly handle?: DataHandle },
): Promise<void> {
  const stale: StoredVersion[] = [];
  for await (const version of versionsOfKey(ctx, bucket, key)) {
    if (versionIdOf(version.value) === NULL_VERSION_ID && version.recordKey !== keep.recordKey) stale.push(version);
  }
  for (const version of stale) {
    if (!(await tryDeleteRecord(ctx.store, version.recordKey, version.version))) continue;
    const value = version.value;
    if (!isDeleteMarker(value) && value.handle !== keep.handle) await freeData(ctx, value.handle);
  }
}

/**
 * What happens to the current object when a write replaces it, by bucket state: unversioned →
 * its data is freed; Enabled → it stays as a non-current version; Suspended → a real version
 * stays, the null version is replaced (freed).
 */
export function keepsReplaced(status: VersioningStatus | undefined, replaced: ObjectRecord): boolean {
  if (status === 'Enabled') return true;
  if (status === 'Suspended') return replaced.versionId !== undefined && replaced.versionId !== NULL_VERSION_ID;
  return false;
}

/** What a new version stores: its id and, for a `null` version, its place in the version order. */
export interface VersionStamp {
  readonly versionId: string;
  /** A version id used only to sort the null version among the others (same clock as real ids). */
  readonly versionOrder?: string;
}

/** The version a write in a bucket of this state gets (undefined: unversioned, no id at all). */
export function newVersion(ctx: EngineContext, status: VersioningStatus | undefined): VersionStamp | undefined {
  if (status === 'Enabled') return { versionId: createVersionId(ctx.now()) };
  if (status === 'Suspended') return { versionId: NULL_VERSION_ID, versionOrder: createVersionId(ctx.now()) };
  return undefined;
}
