import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { S3Error, checksumOf, encodeChecksum, toWireError } from '@mpu/core';
import { collect, expectS3Error, makeEngine, MiB, repeated } from './engine-helpers.js';

/** 3 MiB of varied bytes in uneven socket-sized chunks. */
function payload(): { chunks: Buffer[]; whole: Buffer } {
  const whole = Buffer.alloc(3 * MiB);
  for (let i = 0; i < whole.length; i++) whole[i] = (i * 31 + (i >>> 11)) & 0xff;
  const chunks: Buffer[] = [];
  for (let at = 0, n = 0; at < whole.length; at += 40_000 + (n++ % 7) * 3_000) chunks.push(whole.subarray(at, Math.min(at + 40_000 + (n % 7) * 3_000, whole.length)));
  return { chunks, whole };
}

async function* stream(chunks: readonly Uint8Array[]): AsyncIterable<Uint8Array> {
  yield* chunks;
}

async function setup(hashing: NonNullable<Parameters<typeof makeEngine>[0]>['hashing']) {
  const made = makeEngine({ hashing });
  await made.engine.createBucket('bucket');
  const upload = await made.engine.createMultipartUpload({ bucket: 'bucket', key: 'key', checksumAlgorithm: 'CRC64NVME', checksumType: 'FULL_OBJECT' });
  return { ...made, upload };
}

describe('engine hashing on worker threads', () => {
  it('gives the same part ETag and checksums as inline hashing, and verifies claims the same way', async () => {
    const { chunks, whole } = payload();
    const sha256Hex = createHash('sha256').update(whole).digest('hex');
    const expectations = {
      contentLength: whole.length,
      contentMd5: createHash('md5').update(whole).digest('base64'),
      sha256Hex,
      checksumAlgorithm: 'CRC64NVME' as const,
      checksum: encodeChecksum(checksumOf('CRC64NVME', whole)),
    };
    const pooled = await setup({ threads: 2, minPooledBytes: 0 });
    const inline = await setup({ threads: 0 });
    const a = await pooled.engine.uploadPart({ ...pooled.upload, partNumber: 1, body: stream(chunks), expect: expectations });
    const b = await inline.engine.uploadPart({ ...inline.upload, partNumber: 1, body: stream(chunks), expect: expectations });
    expect(a.etag).toBe(`"${createHash('md5').update(whole).digest('hex')}"`);
    expect({ ...a, lastModified: 0 }).toEqual({ ...b, lastModified: 0 });

    // A wrong SHA-256 claim is still caught when the hash comes from a worker.
    await expectS3Error(
      pooled.engine.uploadPart({ ...pooled.upload, partNumber: 2, body: stream(chunks), expect: { ...expectations, sha256Hex: sha256Hex.replace(/^./, (c) => (c === '0' ? '1' : '0')) } }),
      'XAmzContentSHA256Mismatch',
    );
    await pooled.engine.close();
    await inline.engine.close();
  });

  it('PutObject of a large body hashed on a worker reads back whole', async () => {
    const { engine } = makeEngine({ hashing: { threads: 1 } });
    await engine.createBucket('bucket');
    const size = 2 * MiB + 5;
    const put = await engine.putObject({ bucket: 'bucket', key: 'big', body: repeated(9, size, 64 * 1024), expect: { contentLength: size } });
    const expected = createHash('md5').update(Buffer.alloc(size, 9)).digest('hex');
    expect(put.etag).toBe(`"${expected}"`);
    const got = await engine.getObject({ bucket: 'bucket', key: 'big' });
    expect(createHash('md5').update(await collect(got.body)).digest('hex')).toBe(expected);
    await engine.close();
  });

  it('a worker crash fails that one request with InternalError and keeps no part', async () => {
    const crashing = () => new Worker("require('node:worker_threads').parentPort.on('message', (m) => { if (m.type === 'update') process.exit(1); });", { eval: true });
    const { engine, upload } = await setup({ threads: 1, minPooledBytes: 0, spawn: crashing });
    const failure = await engine.uploadPart({ ...upload, partNumber: 1, body: repeated(1, 2 * MiB), expect: { contentLength: 2 * MiB } }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(S3Error);
    expect(toWireError(failure)).toMatchObject({ status: 500, code: 'InternalError' });
    expect((await engine.listParts(upload)).parts).toEqual([]);
    await engine.close();
  });
});
