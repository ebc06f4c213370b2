import { NoSuchKeyError } from '../errors/s3-errors.js';
import { type EngineContext, readJson, requireBucket, tryWriteJson } from './engine-context.js';
import { type ObjectRecord, recordKeys } from './records.js';
import { validateKey } from './validation.js';

/**
 * Read-modify-write of an object record's settings (tags, ACL) by CAS, retried when another
 * writer got there first. The data handle is never changed here, so a concurrent overwrite
 * simply wins or is re-read; NoSuchKey when the object is gone.
 */
export async function updateObject(
  ctx: EngineContext,
  bucket: string,
  key: string,
  update: (record: ObjectRecord) => ObjectRecord,
): Promise<void> {
  await requireBucket(ctx, bucket);
  validateKey(key, ctx.limits);
  const recordKey = recordKeys.object(bucket, key);
  for (;;) {
    const current = await readJson<ObjectRecord>(ctx.store, recordKey);
    if (!current) throw new NoSuchKeyError(key);
    const written = await tryWriteJson(ctx.store, recordKey, update(current.value), { ifVersion: current.version });
    if (written !== undefined) return;
  }
}

export async function readObject(ctx: EngineContext, bucket: string, key: string): Promise<ObjectRecord> {
  await requireBucket(ctx, bucket);
  validateKey(key, ctx.limits);
  const record = await readJson<ObjectRecord>(ctx.store, recordKeys.object(bucket, key));
  if (!record) throw new NoSuchKeyError(key);
  return record.value;
}
