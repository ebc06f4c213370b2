import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Engine, S3Error } from '@mpu/core';

/**
 * ETags recomputed here with node:crypto, independently of the engine's own code, so a test
 * never checks the engine against itself.
 */
export function partEtagOf(data: Uint8Array): string {
  return `"${createHash('md5').update(data).digest('hex')}"`;
}

export function multipartEtagOf(parts: readonly Uint8Array[]): string {
  const md5s = parts.map((part) => createHash('md5').update(part).digest());
  return `"${createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-${parts.length}"`;
}

/** A part or object body: `data` in chunks of `chunkSize` bytes (copies, as a socket would hand them). */
export async function* bodyOf(data: Uint8Array, chunkSize = 5): AsyncIterable<Uint8Array> {
  for (let offset = 0; offset < data.byteLength; offset += chunkSize) {
    yield Buffer.from(data.subarray(offset, offset + chunkSize));
  }
}

export async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** The object's bytes, or undefined for NoSuchKey (any other error propagates). */
export async function readObject(engine: Engine, bucket: string, key: string): Promise<Buffer | undefined> {
  try {
    const { body } = await engine.getObject({ bucket, key });
    return await collect(body);
  } catch (error) {
    if (error instanceof S3Error && error.code === 'NoSuchKey') return undefined;
    throw error;
  }
}

/** The S3 error code a promise rejects with ('ok' when it resolves); other errors propagate. */
export async function outcomeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (error instanceof S3Error) return error.code;
    throw error;
  }
}

export function describeBytes(data: Uint8Array | undefined): string {
  return data === undefined ? '<none>' : `${data.byteLength} bytes ${Buffer.from(data).toString('hex').slice(0, 24)}`;
}

/** Temp directories for one test file, removed by `removeAll`. */
export class TempDirs {
  readonly #dirs: string[] = [];

  async make(label: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), `mpu-rel-${label}-`));
    this.#dirs.push(dir);
    return dir;
  }

  async remove(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
  }

  async removeAll(): Promise<void> {
    await Promise.all(this.#dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  }
}
