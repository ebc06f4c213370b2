import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Bucket, File } from '@google-cloud/storage';
import { PartTooLargeError, type WritePartOptions } from '@mpu/core';
import { asStoreError, httpStatusOf } from './gcs-errors.js';
import { objectSizeOf } from './object-size.js';

export interface PartUploadSettings {
  readonly singleRequestMaxBytes: number;
  readonly uploadChunkBytes: number;
  readonly maxPartSize: number;
}

/**
 * Streams one part into a new object. The first `singleRequestMaxBytes` are held back: a body
 * that ends within them goes up in one multipart request; a longer one streams through a
 * resumable session (the client keeps one `uploadChunkBytes` chunk for retries), so no part
 * is ever buffered whole. Every upload carries `ifGenerationMatch=0` — part names are unique
 * per attempt — which also makes it safe for the client to retry. Both paths validate CRC32C
 * against the server's answer. Nothing is visible under the name unless the upload finished.
 */
export async function uploadPart(
  bucket: Bucket,
  name: string,
  partId: string,
  body: AsyncIterable<Uint8Array>,
  settings: PartUploadSettings,
  options: WritePartOptions = {},
): Promise<{ readonly size: number }> {
  const signal = options.signal;
  signal?.throwIfAborted();
  const iterator = body[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  let ended = false;
  while (headBytes <= settings.singleRequestMaxBytes) {
    const next = await iterator.next();
    signal?.throwIfAborted();
    if (next.done) {
      ended = true;
      break;
    }
    if (next.value.byteLength === 0) continue;
    head.push(Buffer.from(next.value)); // copy: callers may reuse their buffers
    headBytes += next.value.byteLength;
    if (headBytes > settings.maxPartSize) throw new PartTooLargeError(partId, settings.maxPartSize);
  }
  const file = bucket.file(name);
  if (ended) {
    await saveOnce(file, Buffer.concat(head, headBytes), name);
    return { size: headBytes };
  }
  let size = 0;
  async function* rest(): AsyncIterable<Buffer> {
    for (const chunk of head) {
      size += chunk.byteLength;
      yield chunk;
    }
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      signal?.throwIfAborted();
      if (next.value.byteLength === 0) continue;
      size += next.value.byteLength;
      if (size > settings.maxPartSize) throw new PartTooLargeError(partId, settings.maxPartSize);
      yield Buffer.from(next.value); // copy: the client may hold it (chunk cache) after we move on
    }
  }
  const upload = file.createWriteStream({
    resumable: true,
    chunkSize: settings.uploadChunkBytes,
    validation: 'crc32c',
    contentType: 'application/octet-stream',
    preconditionOpts: { ifGenerationMatch: 0 },
  });
  try {
    await (signal ? pipeline(Readable.from(rest()), upload, { signal }) : pipeline(Readable.from(rest()), upload));
  } catch (error) {
    if (signal?.aborted) throw signal.reason ?? error;
    throw asStoreError(error, `upload part ${name}`);
  }
  return { size };
}

async function saveOnce(file: File, bytes: Buffer, name: string): Promise<void> {
  try {
    await file.save(bytes, {
      resumable: false,
      validation: 'crc32c',
      contentType: 'application/octet-stream',
      preconditionOpts: { ifGenerationMatch: 0 },
    });
  } catch (error) {
    // A retried upload whose first attempt landed: the object is ours if its size matches
    // (part names are unique per attempt, nothing else writes them).
    if (httpStatusOf(error) === 412) {
      const [metadata] = await file.getMetadata();
      if (objectSizeOf(metadata, name) === bytes.byteLength) return;
    }
    throw asStoreError(error, `upload part ${name}`);
  }
}
