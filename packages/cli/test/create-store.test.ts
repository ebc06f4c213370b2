import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type BlobStore, MultipartEngine } from '@mpu/core';
import { type BackendConfig, ConfigError, createStore, parseConfig } from '../src/index.js';

async function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'mpu-cli-store-'));
}

async function* bytes(text: string): AsyncIterable<Uint8Array> {
  yield Buffer.from(text);
}

async function readAll(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Drives a store through the engine: a bucket, a multipart object, a read back. */
async function roundTrip(store: BlobStore, key: string): Promise<void> {
  const engine = new MultipartEngine({ store });
  await engine.createBucket('bkt');
  const upload = await engine.createMultipartUpload({ bucket: 'bkt', key });
  const part = await engine.uploadPart({ ...upload, partNumber: 1, body: bytes(`hello ${key}`) });
  await engine.completeMultipartUpload({ ...upload, parts: [{ partNumber: 1, etag: part.etag }] });
  expect(await readAll((await engine.getObject({ bucket: 'bkt', key })).body)).toBe(`hello ${key}`);
  await engine.close();
}

async function readBack(store: BlobStore, key: string): Promise<string> {
  const engine = new MultipartEngine({ store });
  try {
    return await readAll((await engine.getObject({ bucket: 'bkt', key })).body);
  } finally {
    await engine.close();
  }
}

describe('createStore(config)', () => {
  it('memory: a working, empty store each time', async () => {
    await roundTrip(await createStore({ type: 'memory' }), 'm');
    const fresh = new MultipartEngine({ store: await createStore({ type: 'memory' }) });
    expect((await fresh.listBuckets()).buckets).toEqual([]);
    await fresh.close();
  });

  for (const type of ['fs', 'level'] as const) {
    it(`${type}: a working store whose data survives close and a second createStore`, async () => {
      const dir = path.join(await tempDir(), 'data');
      // Through the schema, as the CLI and embedders reading JSON do.
      const backend = parseConfig({ backend: type === 'fs' ? { type, root: dir } : { type, location: dir } }).backend;
      await roundTrip(await createStore(backend), `${type}-key`);
      expect(await readBack(await createStore(backend), `${type}-key`)).toBe(`hello ${type}-key`);
    });
  }

  it('fs: two stores share one data directory (several workers), and see each other\'s records', async () => {
    const root = path.join(await tempDir(), 'data');
    const first = await createStore({ type: 'fs', root });
    const second = await createStore({ type: 'fs', root });
    try {
      await first.writeRecord('shared', new TextEncoder().encode('from first'), { ifAbsent: true });
      expect(new TextDecoder().decode((await second.readRecord('shared'))?.value)).toBe('from first');
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('rejects unusable locations and unknown backend types', async () => {
    const file = path.join(await tempDir(), 'not-a-dir');
    await writeFile(file, 'x');
    await expect(createStore({ type: 'fs', root: file })).rejects.toThrow();
    await expect(createStore({ type: 'level', location: path.join(file, 'sub') })).rejects.toThrow();
    const unknown = createStore({ type: 'ftp' } as unknown as BackendConfig);
    await expect(unknown).rejects.toBeInstanceOf(ConfigError);
    await expect(createStore({ type: 'ftp' } as unknown as BackendConfig)).rejects.toThrow(/unknown backend type "ftp"; expected one of fs, level, memory, azure, gcs/);
  });

  it('the schema refuses incomplete backend settings before any store is opened', () => {
    expect(() => parseConfig({ backend: { type: 'azure', container: 'c' } })).toThrow(/azure needs connectionString/);
    expect(() => parseConfig({ backend: { type: 'fs', root: '' } })).toThrow(/backend\.root/);
    expect(() => parseConfig({ backend: { type: 'level', location: 'x', fsync: true } })).toThrow(/fsync/);
  });
});
