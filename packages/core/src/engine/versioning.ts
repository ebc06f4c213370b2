import {
  DeleteMarkerIsCurrentError, DeleteMarkerVersionError, InvalidRequestError, MalformedXMLError, NoSuchKeyError,
  NoSuchVersionError,
} from '../errors/s3-errors.js';
import { type EngineContext, type Versioned, readJson, requireBucket, tryDeleteRecord, tryWriteJson } from './engine-context.js';
import {
  type DeleteMarkerRecord, NULL_VERSION_ID, findVersion, freeData, isDeleteMarker,
  keepsReplaced, newVersion, newestVersionOf, removeOlderNullVersions, validateVersionId, versionIdOf, versionKeys,
  writeVersionRecord,
} from './object-versions.js';
import { type BucketRecord, type ObjectRecord, recordKeys } from './records.js';
import type { DeleteObjectInput, DeleteObjectResult, VersioningStatus } from './types.js';
import { validateKey } from './validation.js';

/**
 * S3 object versioning over the record layout of object-versions.ts. Backends know nothing of
 * versions: everything here is records and CAS.
 *
 * Write order (crash safety): a write that keeps the replaced current object FIRST writes it as
 * a version record, THEN swaps the current record. A crash between the two leaves the version
 * in both places — readers take the current record, listings skip the duplicate — and a retry
 * (PutObject by the client, Complete from its frozen plan) repeats the idempotent version write
 * and the swap. A delete marker is written before the current record is removed, so a crash
 * leaves at worst a marker that is not the latest (as if a PUT had followed the DELETE).
 */

/** PutBucketVersioning: Enabled or Suspended; a bucket cannot go back to unversioned. */
export async function putBucketVersioning(ctx: EngineContext, name: string, status: VersioningStatus): Promise<void> {
  if (status !== 'Enabled' && status !== 'Suspended') throw new MalformedXMLError();
  for (;;) {
    const current = await requireBucket(ctx, name);
    const next: BucketRecord = { ...current.value, versioning: status };
    if (await tryWriteJson(ctx.store, recordKeys.bucket(name), next, { ifVersion: current.version }) !== undefined) return;
  }
}

/** GetBucketVersioning: undefined when versioning was never configured (an empty configuration). */
export async function getBucketVersioning(ctx: EngineContext, name: string): Promise<VersioningStatus | undefined> {
  return (await requireBucket(ctx, name)).value.versioning;
}

/** The version a read names: current (no id) or a specific one. Null versions report `null` once a bucket is versioned. */
export async function readObjectVersion(
  ctx: EngineContext,
  bucket: string,
  key: string,
  versionId?: string,
): Promise<Versioned<ObjectRecord>> {
  const status = (await requireBucket(ctx, bucket)).value.versioning;
  validateKey(key, ctx.limits);
  if (versionId !== undefined) validateVersionId(versionId);
  const label = (record: Versioned<ObjectRecord>): Versioned<ObjectRecord> =>
    status === undefined || record.value.versionId !== undefined ? record : { ...record, value: { ...record.value, versionId: NULL_VERSION_ID } };
  const current = await readJson<ObjectRecord>(ctx.store, recordKeys.object(bucket, key));
  if (versionId === undefined) {
    if (current) return label(current);
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeleteMarker.html: a GET of a key
    // whose latest version is a delete marker is 404 with x-amz-delete-marker: true.
    const newest = status === undefined ? undefined : await newestVersionOf(ctx, bucket, key);
    if (newest && isDeleteMarker(newest.value)) {
      throw new DeleteMarkerIsCurrentError(key, newest.value.versionId, new Date(newest.value.lastModified));
    }
    throw new NoSuchKeyError(key);
  }
  if (current && versionIdOf(current.value) === versionId) return label(current);
  const found = await findVersion(ctx, bucket, key, versionId);
  if (!found) throw new NoSuchVersionError(key, versionId);
  if (isDeleteMarker(found.value)) throw new DeleteMarkerVersionError(versionId, new Date(found.value.lastModified));
  return label({ value: found.value, version: found.version });
}

/** The bucket's versioning state (undefined: never versioned, or no such bucket). */
export async function bucketVersioning(ctx: EngineContext, bucket: string): Promise<VersioningStatus | undefined> {
  return (await readJson<BucketRecord>(ctx.store, recordKeys.bucket(bucket)))?.value.versioning;
}

/**
 * DeleteObject (https://docs.aws.amazon.com/AmazonS3/API/API_DeleteObject.html):
 * - unversioned bucket: removes the object (absent keys succeed);
 * - no versionId, Enabled: a new delete marker becomes the latest version;
 * - no versionId, Suspended: a `null` delete marker replaces the null version;
 * - versionId: that version (or marker) is removed permanently; if it was the latest, the
 *   next newest becomes current.
 */
export async function deleteObjectVersioned(
  ctx: EngineContext,
  input: DeleteObjectInput,
  status: VersioningStatus | undefined,
): Promise<DeleteObjectResult> {
  validateKey(input.key, ctx.limits);
  if (input.versionId !== undefined) {
    validateVersionId(input.versionId);
    return deleteVersion(ctx, input.bucket, input.key, input.versionId);
  }
  if (status === undefined) {
    await deleteCurrent(ctx, input.bucket, input.key, undefined);
    return {};
  }
  const marker: DeleteMarkerRecord = {
    bucket: input.bucket,
    key: input.key,
    ...newVersion(ctx, status)!,
    lastModified: ctx.now().toISOString(),
    deleteMarker: true,
  };
  await deleteCurrent(ctx, input.bucket, input.key, { status, marker });
  if (status === 'Suspended') await removeOlderNullVersions(ctx, input.bucket, input.key, { recordKey: versionKeys.record(marker) });
  return { versionId: marker.versionId, deleteMarker: true };
}

/** Removes the current record (CAS), keeping it as a version when the bucket's state says so. */
async function deleteCurrent(
  ctx: EngineContext,
  bucket: string,
  key: string,
  versioned: { readonly status: VersioningStatus; readonly marker: DeleteMarkerRecord } | undefined,
): Promise<void> {
  const recordKey = recordKeys.object(bucket, key);
  let markerWritten = false;
  for (;;) {
    const current = await readJson<ObjectRecord>(ctx.store, recordKey);
    const keep = current !== undefined && keepsReplaced(versioned?.status, current.value);
    if (keep) await writeVersionRecord(ctx, current!.value);
    if (versioned && !markerWritten) {
      await writeVersionRecord(ctx, versioned.marker);
      markerWritten = true;
    }
    if (!current) return;
    if (await tryDeleteRecord(ctx.store, recordKey, current.version)) {
      // Unversioned: as before versioning existed, a failed data delete fails the request.
      if (!keep) await (versioned ? freeData(ctx, current.value.handle) : ctx.store.deleteData(current.value.handle));
      return;
    }
  }
}

async function deleteVersion(ctx: EngineContext, bucket: string, key: string, versionId: string): Promise<DeleteObjectResult> {
  const recordKey = recordKeys.object(bucket, key);
  for (;;) {
    const current = await readJson<ObjectRecord>(ctx.store, recordKey);
    if (current && versionIdOf(current.value) === versionId) {
      if (!(await tryDeleteRecord(ctx.store, recordKey, current.version))) continue;
      // A crash may have left the same version in version/ too (see the write order).
      const duplicate = await findVersion(ctx, bucket, key, versionId);
      if (duplicate) await tryDeleteRecord(ctx.store, duplicate.recordKey, duplicate.version);
      await freeData(ctx, current.value.handle);
      await promoteNewest(ctx, bucket, key);
      return { versionId };
    }
    const found = await findVersion(ctx, bucket, key, versionId);
    // Deleting a version that does not exist succeeds, as DELETE does for absent keys.
    if (!found) return { versionId };
    if (!(await tryDeleteRecord(ctx.store, found.recordKey, found.version))) continue;
    const value = found.value;
    if (!isDeleteMarker(value) && value.handle !== current?.value.handle) await freeData(ctx, value.handle);
    if (!current) await promoteNewest(ctx, bucket, key);
    return { versionId, ...(isDeleteMarker(value) ? { deleteMarker: true } : {}) };
  }
}

/**
 * After the latest version was removed, the next newest becomes current: a regular version is
 * copied into the current record (ifAbsent), then its version record is dropped; a delete
 * marker simply stays the latest. A crash in between leaves a duplicate, which readers skip.
 */
async function promoteNewest(ctx: EngineContext, bucket: string, key: string): Promise<void> {
  const newest = await newestVersionOf(ctx, bucket, key);
  if (!newest || isDeleteMarker(newest.value)) return;
  const written = await tryWriteJson(ctx.store, recordKeys.object(bucket, key), newest.value, { ifAbsent: true });
  if (written !== undefined) await tryDeleteRecord(ctx.store, newest.recordKey, newest.version);
}

/** What a copy or UploadPartCopy reads: `versionId` of a delete marker is 400 InvalidRequest for copies. */
export async function readCopySource(
  ctx: EngineContext,
  source: { readonly bucket: string; readonly key: string; readonly versionId?: string },
): Promise<ObjectRecord> {
  try {
    return (await readObjectVersion(ctx, source.bucket, source.key, source.versionId)).value;
  } catch (error) {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html: a delete marker as
    // the copy source is 400 InvalidRequest; a current delete marker is 404 NoSuchKey.
    if (error instanceof DeleteMarkerVersionError) {
      throw new InvalidRequestError('The source of a copy request may not specifically refer to a delete marker by version id.');
    }
    throw error;
  }
}
