import { createHash } from 'node:crypto';

/**
 * Deterministic test bytes that are cheap to make and never materialised whole: a byte at
 * absolute offset `i` depends on the seed and on `i`, so any range of any part can be
 * recomputed independently and boundaries between parts are distinguishable.
 */
export function byteAt(seed: number, offset: number): number {
  // Mixing the high bits in keeps 256-byte periods from lining up with part sizes.
  return (seed * 131 + offset * 7 + Math.floor(offset / 251) * 13) & 0xff;
}

/** The bytes [0, size) of the seed's sequence, materialised (small parts only). */
export function generatedBytes(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = byteAt(seed, i);
  return bytes;
}

/** Yields `bytes` in chunks of the given sizes (cycled), including any zero-length ones. */
export async function* chunked(bytes: Uint8Array, chunkSizes: readonly number[] = [bytes.byteLength]): AsyncIterable<Uint8Array> {
  let offset = 0;
  let index = 0;
  if (bytes.byteLength === 0) {
    for (const size of chunkSizes) if (size === 0) yield new Uint8Array(0);
    return;
  }
  while (offset < bytes.byteLength) {
    const size = chunkSizes[index++ % chunkSizes.length] ?? bytes.byteLength;
    yield bytes.slice(offset, offset + size);
    offset += size;
  }
}

const BLOCK = 1024 * 1024;

/**
 * A large streamed body: 1 MiB blocks of one base pattern, each stamped with its block index
 * in the first 4 bytes so a backend that repeats or drops a block is caught. Generation is a
 * copy per block, so 64 MiB costs milliseconds rather than a per-byte loop.
 */
export async function* largeBody(size: number, seed: number): AsyncIterable<Uint8Array> {
  const base = generatedBytes(Math.min(size, BLOCK), seed);
  for (let offset = 0, block = 0; offset < size; offset += BLOCK, block++) {
    const chunk = base.slice(0, Math.min(BLOCK, size - offset));
    const stamp = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (let i = 0; i < Math.min(4, chunk.byteLength); i++) stamp.setUint8(i, (block >>> (i * 8)) & 0xff);
    yield chunk;
  }
}

/** SHA-256 hex of a stream, and its length, without keeping the bytes. */
export async function digestOf(source: AsyncIterable<Uint8Array>): Promise<{ readonly sha256: string; readonly size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of source) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  return { sha256: hash.digest('hex'), size };
}

/** Collects a (small) stream into one array. */
export async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of source) {
    chunks.push(chunk);
    size += chunk.byteLength;
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** A body that yields `before` bytes and then throws, as a dropped client connection does. */
export async function* failingBody(before: Uint8Array, error: Error): AsyncIterable<Uint8Array> {
  yield before;
  throw error;
}

/** The byte of `largeBody(size, seed)` at `offset` (for range checks without the body). */
export function largeByteAt(seed: number, offset: number): number {
  const block = Math.floor(offset / BLOCK);
  const within = offset % BLOCK;
  return within < 4 ? (block >>> (within * 8)) & 0xff : byteAt(seed, within);
}
