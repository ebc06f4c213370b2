import type { FileHandle } from 'node:fs/promises';
import { PartTooLargeError } from '@mpu/core';

/**
 * Streams a body into an open file with bounded memory: the next chunk is pulled only once
 * the previous one is written or copied into the staging buffer (backpressure). Chunks under
 * 512 KiB (HTTP bodies arrive in 16–64 KiB pieces) are copied into a 1 MiB staging buffer, so
 * a body costs one write per MiB rather than one thread-pool hop per chunk (the copy is
 * cheaper than the hop); large chunks are written straight from the caller's buffer. Nothing
 * is kept after it is written, so callers may reuse their buffers.
 */
const STAGING_BYTES = 1024 * 1024;
const DIRECT_WRITE_BYTES = 512 * 1024;

async function writeFully(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset);
    offset += bytesWritten;
  }
}

export async function streamIntoFile(
  handle: FileHandle,
  body: AsyncIterable<Uint8Array>,
  limits: { readonly partId: string; readonly maxPartSize: number; readonly signal?: AbortSignal },
): Promise<number> {
  const staging = Buffer.allocUnsafe(STAGING_BYTES);
  let staged = 0;
  let size = 0;
  const flush = async (): Promise<void> => {
    if (staged === 0) return;
    await writeFully(handle, staging.subarray(0, staged));
    staged = 0;
  };
  for await (const chunk of body) {
    limits.signal?.throwIfAborted();
    if (chunk.byteLength === 0) continue;
    size += chunk.byteLength;
    if (size > limits.maxPartSize) throw new PartTooLargeError(limits.partId, limits.maxPartSize);
    if (chunk.byteLength >= DIRECT_WRITE_BYTES) {
      await flush();
      await writeFully(handle, chunk);
    } else {
      if (staged + chunk.byteLength > STAGING_BYTES) await flush();
      staging.set(chunk, staged);
      staged += chunk.byteLength;
    }
  }
  limits.signal?.throwIfAborted();
  await flush();
  return size;
}
