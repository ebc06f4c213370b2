import { ConditionalRequestConflictError } from '../errors/s3-errors.js';
import { checkWriteConditions } from './conditions.js';
import { type EngineContext, type Versioned, readJson, tryWriteJson } from './engine-context.js';
import { keepsReplaced, removeOlderNullVersions, writeVersionRecord } from './object-versions.js';
import { type ObjectRecord, recordKeys } from './records.js';
import type { VersioningStatus, WriteConditions } from './types.js';

/**
 * Publishes a single-request object (PutObject, CopyObject): one conditional write of the
 * object index record. Unconditional writes retarget to whatever version is current (last
 * writer wins); conditional writes re-evaluate their conditions against it (412 / NoSuchKey
 * when they no longer hold). The replaced object's data is deleted after the swap — unless the
 * bucket's versioning keeps it: then it is first written as a non-current version record, and
 * only then is the current record swapped (object-versions.ts). Readers see the old record or
 * the new one, never a mix.
 */
export async function publishObject(
  ctx: EngineContext,
  object: ObjectRecord,
  conditions: WriteConditions | undefined,
  validated?: Versioned<ObjectRecord> | null,
  versioning?: VersioningStatus,
): Promise<void> {
  const key = recordKeys.object(object.bucket, object.key);
  // `validated` is the record the caller already checked (null: it was absent), saving a read.
  let current = validated === undefined ? await readJson<ObjectRecord>(ctx.store, key) : validated ?? undefined;
  for (;;) {
    checkWriteConditions(conditions, object.key, current?.value);
    const keep = current !== undefined && keepsReplaced(versioning, current.value);
    if (keep) await writeVersionRecord(ctx, current!.value);
    const written = await tryWriteJson(ctx.store, key, object, current ? { ifVersion: current.version } : { ifAbsent: true });
    if (written !== undefined) {
      if (current && !keep) await freeReplacedData(ctx, current.value.handle);
      if (versioning === 'Suspended') await removeOlderNullVersions(ctx, object.bucket, object.key, { handle: object.handle });
      return;
    }
    current = await readJson<ObjectRecord>(ctx.store, key);
  }
}

/**
 * Publishes a freshly written single-request object and, when publishing fails, deletes its
 * data — unless the object record names that data after all: a record write can land and
 * still report failure (a lost answer), and deleting then would leave the key pointing at
 * nothing. Either way the error goes back to the client, whose retry is idempotent.
 */
export async function publishNewObject(
  ctx: EngineContext,
  object: ObjectRecord,
  conditions: WriteConditions | undefined,
  validated?: Versioned<ObjectRecord> | null,
  versioning?: VersioningStatus,
): Promise<void> {
  try {
    await publishObject(ctx, object, conditions, validated, versioning);
  } catch (error) {
    // Delete only when the record is known not to name this data: if even that read fails,
    // leaking the bytes is safe and deleting them is not.
    const current = await readJson<ObjectRecord>(ctx.store, recordKeys.object(object.bucket, object.key)).then(
      (record) => ({ known: true, handle: record?.value.handle }),
      () => ({ known: false, handle: undefined }),
    );
    if (current.known && current.handle !== object.handle) await ctx.store.deleteData(object.handle).catch(() => undefined);
    throw error;
  }
}

/**
 * Frees the data of an object that was just replaced. The replacement is already published,
 * so a failure here must not fail the request (nor make its caller delete the new data): the
 * old bytes are unreachable and merely leak.
 */
async function freeReplacedData(ctx: EngineContext, handle: string): Promise<void> {
  try {
    await ctx.store.deleteData(handle);
  } catch (error) {
    // Unreachable data left behind; reads of the key are unaffected.
    ctx.logger.warn({ err: error, handle }, 'could not free the data of a replaced object; it is unreachable and leaks');
  }
}

/** `retained`: superseded, but kept as a non-current version (versioning enabled). */
export type CompletionPublishOutcome = 'published' | 'superseded' | 'retained';

/**
 * Publishes a completed multipart object: a CAS against exactly the object version Complete
 * validated (`replacesVersion`). Any completer of the upload may run this, concurrently or
 * after a crash, so it never retargets a newer version: if the key moved on and the record is
 * not this upload's, this upload's object is treated as written and immediately superseded
 * (unconditional Complete, linearised just before the write that replaced it) or the
 * conditional Complete lost a race (ConditionalRequestConflict, 409). With versioning enabled
 * a superseded object is not dropped: it becomes a non-current version (`retained`), so two
 * Completes of one key keep both versions.
 */
export async function publishCompletedObject(
  ctx: EngineContext,
  object: ObjectRecord & { readonly uploadId: string },
  replacesVersion: string | null,
  conditions: WriteConditions | undefined,
  versioning?: VersioningStatus,
): Promise<CompletionPublishOutcome> {
  const key = recordKeys.object(object.bucket, object.key);
  const current = await readJson<ObjectRecord>(ctx.store, key);
  if (current?.value.uploadId === object.uploadId) return 'published';
  const unchanged = current ? current.version === replacesVersion : replacesVersion === null;
  if (unchanged) {
    const keep = current !== undefined && keepsReplaced(versioning, current.value);
    if (keep) await writeVersionRecord(ctx, current!.value);
    const written = await tryWriteJson(ctx.store, key, object, current ? { ifVersion: current.version } : { ifAbsent: true });
    if (written !== undefined) {
      if (current && !keep) await freeReplacedData(ctx, current.value.handle);
      if (versioning === 'Suspended') await removeOlderNullVersions(ctx, object.bucket, object.key, { handle: object.handle });
      return 'published';
    }
    const latest = await readJson<ObjectRecord>(ctx.store, key);
    if (latest?.value.uploadId === object.uploadId) return 'published';
  }
  if (conditions && (conditions.ifMatch !== undefined || conditions.ifNoneMatch !== undefined)) {
    throw new ConditionalRequestConflictError(object.key);
  }
  if (versioning === 'Enabled') {
    await writeVersionRecord(ctx, object);
    return 'retained';
  }
  return 'superseded';
}
