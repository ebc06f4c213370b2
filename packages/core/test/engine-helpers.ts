import { expect } from 'vitest';
import { type EngineOptions, MemoryStore, MultipartEngine, S3Error, type S3ErrorCode, defineLimits } from '@mpu/core';

export const MiB = 1024 * 1024;

/** An async body from strings / byte arrays, one chunk each. */
export async function* body(...chunks: (string | Uint8Array)[]): AsyncIterable<Uint8Array> {
  for (const chunk of chunks) yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}

/** `size` bytes of `fill`, streamed in chunks of at most `chunkSize` (one reused buffer). */
export async function* repeated(fill: number, size: number, chunkSize = MiB): AsyncIterable<Uint8Array> {
  const chunk = Buffer.alloc(Math.min(chunkSize, Math.max(size, 1)), fill);
  for (let sent = 0; sent < size; sent += chunk.length) {
    yield sent + chunk.length <= size ? chunk : chunk.subarray(0, size - sent);
  }
}

export async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Small limits so tests need no 5 MiB parts (min part 4 bytes, max part 64 bytes). */
export const TINY_LIMITS = defineLimits({
  name: 'tiny',
  maxPartNumber: 20,
  minPartSize: 4,
  maxPartSize: 64,
  maxObjectSize: 200,
  maxPutObjectSize: 100,
  maxListPage: 1000,
});

export function makeEngine(options: Partial<EngineOptions> = {}): { engine: MultipartEngine; store: MemoryStore; clock: { now: Date } } {
  const store = (options.store as MemoryStore | undefined) ?? new MemoryStore();
  const clock = { now: new Date('2026-01-31T12:00:00.000Z') };
  const engine = new MultipartEngine({ clock: () => new Date(clock.now), ...options, store });
  return { engine, store, clock };
}

/** Asserts an S3Error with `code` and (a subset of) `details`. */
export async function expectS3Error(
  promise: Promise<unknown>,
  code: S3ErrorCode,
  details?: Record<string, string | number | undefined>,
  message?: string | RegExp,
): Promise<S3Error> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(S3Error);
  const error = caught as S3Error;
  expect(error.code).toBe(code);
  if (details) expect(error.details).toMatchObject(details);
  if (message !== undefined) expect(error.message).toMatch(message);
  return error;
}

/** Every record key in the store, for leak checks. */
export async function recordKeysOf(store: MemoryStore, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  for await (const record of store.listRecords(prefix)) keys.push(record.key);
  return keys;
}
