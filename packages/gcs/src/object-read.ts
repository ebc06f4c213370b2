import type { Bucket } from '@google-cloud/storage';
import type { ByteRange } from '@mpu/core';
import { GcsDataNotFoundError, asStoreError, httpStatusOf, isTransient } from './gcs-errors.js';
import { openDownload } from './object-download.js';

/** Raised (and retried) when a response body ends before its Content-Length. */
class ShortBodyError extends Error {
  override readonly name = 'ShortBodyError';
  readonly code = 'ECONNRESET';
}

export interface ReadSettings {
  readonly maxRetries: number;
  readonly stallMs: number;
}

/**
 * Streams an object or an inclusive range of it. A transient failure mid-stream (an error, a
 * stall, a body shorter than announced) resumes from the next unread byte with a range request
 * pinned to the generation first read, so a replaced object is never spliced into the answer.
 */
export async function* readObject(
  bucket: Bucket,
  handle: string,
  name: string,
  range: ByteRange | undefined,
  settings: ReadSettings,
): AsyncIterable<Uint8Array> {
  let delivered = 0;
  let generation: string | undefined;
  for (let attempt = 0; ; attempt++) {
    const file = bucket.file(name, generation === undefined ? {} : { generation: Number(generation) });
    const download = openDownload(
      file,
      settings.stallMs,
      delivered === 0 ? range : { start: (range?.start ?? 0) + delivered, end: range?.end },
    );
    let received = 0;
    try {
      for await (const chunk of download.stream) {
        generation ??= download.generation();
        received += chunk.byteLength;
        delivered += chunk.byteLength;
        yield chunk;
      }
      const announced = download.contentLength();
      if (announced !== undefined && received < announced) throw new ShortBodyError(`${name}: ${received} of ${announced} bytes`);
      return;
    } catch (error) {
      if (httpStatusOf(error) === 404) throw new GcsDataNotFoundError(handle, { cause: error });
      if (attempt >= settings.maxRetries || !isTransient(error)) throw asStoreError(error, `read ${name}`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
    }
  }
}
