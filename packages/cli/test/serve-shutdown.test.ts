import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MultipartEngine } from '@mpu/core';
import { createStore } from '../src/index.js';
import { type ServeProcess, startServe } from './cli-process.js';

const MiB = 1024 * 1024;
let serve: ServeProcess | undefined;

afterEach(() => {
  serve?.kill();
  serve = undefined;
});

function anonymous(url: string, method: string, pathname: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${pathname}`, { method }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('mpu serve: graceful SIGTERM', () => {
  it('finishes an in-flight upload, refuses new connections, then exits 0 with the object durable', async () => {
    const cwd = await mkdtemp(path.join(os.tmpdir(), 'mpu-cli-sigterm-'));
    await writeFile(path.join(cwd, 'mpu.config.json'), JSON.stringify({ allowAnonymous: true, lifecycleSweepSeconds: 0 }));
    serve = await startServe(['--backend', 'fs', '--data-dir', 'data'], { cwd });
    const { url } = serve;
    expect(await anonymous(url, 'PUT', '/bkt')).toBe(200);

    const body = Buffer.alloc(2 * MiB, 0x5a);
    let markShutdown: () => void = () => {};
    const shuttingDown = new Promise<void>((resolve) => (markShutdown = resolve));
    const response = new Promise<{ status: number; etag: string | undefined }>((resolve, reject) => {
      const req = request(`${url}/bkt/in-flight.bin`, { method: 'PUT', headers: { 'content-length': String(body.length) } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, etag: res.headers.etag }));
      });
      req.on('error', reject);
      req.write(body.subarray(0, MiB));
      // The rest goes only after the server has begun shutting down.
      void shuttingDown.then(() => setTimeout(() => req.end(body.subarray(MiB)), 300));
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    serve.child.kill('SIGTERM');
    await expect.poll(() => serve?.logs.some((l) => l['msg'] === 'shutting down: finishing in-flight requests'), { timeout: 10_000 }).toBe(true);
    // New connections are refused while the in-flight one is still open.
    await expect(anonymous(url, 'GET', '/bkt')).rejects.toThrow(/ECONNREFUSED/);
    expect(serve.child.exitCode).toBeNull();
    markShutdown();

    expect(await response).toEqual({ status: 200, etag: `"${createHash('md5').update(body).digest('hex')}"` });
    expect(await serve.exited).toEqual({ code: 0, signal: null });

    // The data directory lock was released and the object is whole.
    const engine = new MultipartEngine({ store: await createStore({ type: 'fs', root: path.join(cwd, 'data') }) });
    try {
      const got = await engine.getObject({ bucket: 'bkt', key: 'in-flight.bin' });
      const hash = createHash('sha256');
      for await (const chunk of got.body) hash.update(chunk);
      expect(hash.digest('hex')).toBe(createHash('sha256').update(body).digest('hex'));
    } finally {
      await engine.close();
    }
  });
});
