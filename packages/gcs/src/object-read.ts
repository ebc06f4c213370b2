import type { Bucket } from '@google-cloud/storage';
import type { ByteRange } from '@mpu/core';
import { GcsDataNotFoundError, asStoreError, httpStatusOf, isTransient } from './gcs-errors.js';
import { openDownload } from './object-download.js';

/**
 * Streams an object or an inclusive range of it. A transient failure mid-stream resumes from
 * the next unread byte with a range request pinned to the generation first read, so a
 * replaced object can never be spliced into the answer.
 */
export async function* readObject(
  bucket: Bucket,
  handle: string,
  name: string,
  range: ByteRange | undefined,
  maxRetries: number,
): AsyncIterable<Uint8Array> {
  let delivered = 0;
  let generation: string | undefined;
  for (let attempt = 0; ; attempt++) {
    const file = bucket.file(name, generation === undefined ? {} : { generation: Number(generation) });
    const download = openDownload(file, delivered === 0 ? range : { start: (range?.start ?? 0) + delivered, end: range?.end });
    try {
      for await (const chunk of download.stream) {
        generation ??= download.generation();
        delivered += chunk.byteLength;
        yield chunk;
      }
      return;
    } catch (error) {
      if (httpStatusOf(error) === 404) throw new GcsDataNotFoundError(handle, { cause: error });
      if (attempt >= maxRetries || !isTransient(error)) throw asStoreError(error, `read ${name}`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
    }
  }
}
