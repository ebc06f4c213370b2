import { request } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MemoryStore, MultipartEngine } from '@mpu/core';
import { startS3Server } from '../src/index.js';
import type { RunningS3Server } from '../src/index.js';
import { ACCESS_KEY, SECRET_KEY, errorCode, send, signHeaders } from './signed-client.js';

let server: RunningS3Server;

beforeAll(async () => {
  server = await startS3Server({
    engine: new MultipartEngine({ store: new MemoryStore() }),
    credentials: [{ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }],
    bodyIdleTimeoutMs: 150,
  });
  await send(server.url, { method: 'PUT', url: '/stall' });
});

afterAll(async () => {
  await server.close();
});

it('a body that stalls → 400 RequestTimeout, and nothing is stored', async () => {
  const url = new URL(server.url);
  const headers = { ...signHeaders({ method: 'PUT', url: '/stall/k', payloadHash: 'UNSIGNED-PAYLOAD' }, url.host), 'content-length': '10' };
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: 'PUT', path: '/stall/k', headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: body }));
    });
    req.on('error', reject);
    req.write('ab'); // …and never the other 8 bytes
  });
  expect({ status, code: errorCode(text) }).toEqual({ status: 400, code: 'RequestTimeout' });
  expect((await send(server.url, { method: 'HEAD', url: '/stall/k' })).status).toBe(404);
});
