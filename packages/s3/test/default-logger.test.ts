import { afterEach, expect, it, vi } from 'vitest';
import { MemoryStore, MultipartEngine } from '@mpu/core';
import { startS3Server } from '../src/index.js';
import { ACCESS_KEY, SECRET_KEY, send } from './signed-client.js';

afterEach(() => {
  vi.restoreAllMocks();
});

it('without a logger, an unexpected 500 is written to stderr with its request id', async () => {
  const engine = new MultipartEngine({ store: new MemoryStore() });
  vi.spyOn(engine, 'listBuckets').mockRejectedValue(new TypeError('a bug in the engine'));
  const server = await startS3Server({ engine, credentials: [{ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }] });
  const written: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    const res = await send(server.url, { method: 'GET', url: '/' });
    expect(res.status).toBe(500);
    const requestId = res.headers['x-amz-request-id'];
    const lines = written.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([expect.objectContaining({
      level: 'error', msg: 'internal error', requestId, operation: 'ListBuckets', err: expect.objectContaining({ type: 'TypeError', message: 'a bug in the engine' }),
    })]);
  } finally {
    vi.mocked(process.stderr.write).mockRestore();
    await server.close();
  }
});
