import { createHash, randomBytes } from 'node:crypto';
import type { Bucket } from '@google-cloud/storage';
import type { PartRef } from '@mpu/core';
import { mapLimit } from './concurrency.js';
import { GcsAssembleError, asStoreError, httpStatusOf } from './gcs-errors.js';
import type { ObjectNames } from './object-names.js';
import { objectSizeOf } from './object-size.js';
import { deleteIgnoringMissing } from './records.js';

/** https://cloud.google.com/storage/docs/json_api/v1/objects/compose : 1–32 sources per call. */
export const MAX_COMPOSE_SOURCES = 32;

interface Piece {
  readonly name: string;
  readonly size: number;
}

/** Identifies a part list (ids and sizes, in order); names the assembled object. */
export function partListHash(parts: readonly PartRef[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${part.partId.length}:${part.partId}:${part.size};`);
  return hash.digest('hex').slice(0, 40);
}

export interface ComposeSettings {
  readonly concurrency: number;
  readonly maxRetries: number;
}

/**
 * Publishes the concatenation of `parts` as one composite object, server-side: GCS composes
 * up to 32 sources per call and composites can be composed again, so more parts are composed
 * as a tree (10,000 parts: 313 + 10 + 1 calls) through intermediates under `tmp/`, which are
 * deleted afterwards. The result is named by the part list, and the final compose carries
 * `ifGenerationMatch=0`, so assembling the same list again — after a crash, or racing another
 * process — finds the existing object instead of writing a second one. Every compose has a
 * precondition, which is what lets the client retry it.
 */
export interface ComposeBuckets {
  /** Stats of destinations. */
  readonly retrying: Bucket;
  /** Unconditional deletes (intermediates). */
  readonly once: Bucket;
  /** `combine` calls only (config.ts explains why it gets its own client). */
  readonly composer: Bucket;
}

export async function composeTree(
  buckets: ComposeBuckets,
  names: ObjectNames,
  upload: string,
  parts: readonly PartRef[],
  settings: ComposeSettings,
): Promise<string> {
  if (parts.length === 0) throw new GcsAssembleError(upload, 'no parts given');
  const expectedSize = parts.reduce((sum, part) => sum + part.size, 0);
  const destination = names.assembled(upload, partListHash(parts));
  const { retrying: bucket, once: onceBucket, composer } = buckets;
  const existing = await sizeOf(bucket, destination);
  if (existing !== undefined) return checkedSize(upload, destination, existing, expectedSize);

  const nonce = randomBytes(8).toString('hex');
  const temporaries: string[] = [];
  try {
    let level: Piece[] = parts.map((part) => ({ name: names.part(upload, part.partId), size: part.size }));
    for (let depth = 1; level.length > MAX_COMPOSE_SOURCES; depth++) {
      const groups: Piece[][] = [];
      for (let i = 0; i < level.length; i += MAX_COMPOSE_SOURCES) groups.push(level.slice(i, i + MAX_COMPOSE_SOURCES));
      level = await mapLimit(groups, settings.concurrency, async (group, index) => {
        const name = names.temporary(upload, nonce, depth, index);
        temporaries.push(name);
        return { name, size: await composeOnce(composer, bucket, upload, group, name) };
      });
    }
    const size = await composeOnce(composer, bucket, upload, level, destination);
    if (size !== expectedSize) {
      // The name stands for this part list with these sizes, so an object of another size under
      // it is never right: remove it rather than let a retry find it.
      await deleteIgnoringMissing(onceBucket.file(destination), settings.maxRetries, `delete ${destination}`).catch(() => undefined);
    }
    return checkedSize(upload, destination, size, expectedSize);
  } finally {
    await mapLimit(temporaries, settings.concurrency, (name) =>
      deleteIgnoringMissing(onceBucket.file(name), settings.maxRetries, `delete ${name}`).catch(() => undefined),
    );
  }
}

function checkedSize(upload: string, name: string, actual: number, expected: number): string {
  // Sizes are checked on the result rather than per part: one stat instead of 10,000.
  if (actual !== expected) throw new GcsAssembleError(upload, `${name} has ${actual} bytes, the parts say ${expected}`);
  return name;
}

async function sizeOf(bucket: Bucket, name: string): Promise<number | undefined> {
  try {
    const [metadata] = await bucket.file(name).getMetadata();
    return objectSizeOf(metadata, name);
  } catch (error) {
    if (httpStatusOf(error) === 404) return undefined;
    throw asStoreError(error, `stat ${name}`);
  }
}

/** One compose call into a name that must not exist yet; returns the result's size. */
async function composeOnce(composer: Bucket, bucket: Bucket, upload: string, sources: readonly Piece[], name: string): Promise<number> {
  const destination = composer.file(name);
  // Without a content type the client guesses one from the name's extension.
  destination.metadata.contentType = 'application/octet-stream';
  try {
    const [, response] = await composer.combine(
      sources.map((source) => source.name),
      destination,
      { ifGenerationMatch: 0 },
    );
    return objectSizeOf(response as { size?: string }, name);
  } catch (error) {
    const status = httpStatusOf(error);
    if (status === 412) {
      // Already there: a retry whose first attempt landed, or a concurrent identical assemble.
      const size = await sizeOf(bucket, name);
      if (size !== undefined) return size;
    }
    if (status === 404) throw new GcsAssembleError(upload, `a source of ${name} does not exist`, { cause: error });
    throw asStoreError(error, `compose ${name}`);
  }
}
