import net from 'node:net';
import { chunked, collect, generatedBytes } from '@mpu/conformance';
import type { GcsTestServer } from '@mpu/gcs-test-server';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { openLocalStore, startLocalServer } from './local-server.js';

let server: GcsTestServer;
const targets: string[] = [];

beforeAll(async () => {
  // Every TCP connection this worker opens is recorded: with a custom apiEndpoint the client
  // must not reach Google (no OAuth token fetch, no metadata-server probe, no project lookup).
  const connect = net.Socket.prototype.connect;
  vi.spyOn(net.Socket.prototype, 'connect').mockImplementation(function (this: net.Socket, ...args: unknown[]) {
    const raw = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    const options = raw as { host?: string; port?: number } | number | string;
    targets.push(typeof options === 'object' && options !== null ? `${options.host ?? 'localhost'}:${options.port}` : String(options));
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  });
  server = await startLocalServer();
});
afterAll(async () => {
  vi.restoreAllMocks();
  await server.close();
});

it('a store on a custom apiEndpoint only ever connects to that endpoint, without credentials', async () => {
  const store = await openLocalStore(server);
  await store.writeRecord('k', new Uint8Array([1]), { ifAbsent: true });
  await store.writeRecord('k2', new Uint8Array([2]));
  for await (const record of store.listRecords('')) expect(record.value.byteLength).toBe(1);
  await store.writePart('u', 'p', chunked(generatedBytes(9 * 1024 * 1024, 1), [1 << 20]));
  const handle = await store.assemble('u', [{ partId: 'p', size: 9 * 1024 * 1024 }]);
  expect((await collect(store.read(handle, { start: 0, end: 9 }))).byteLength).toBe(10);
  await store.discard('u');
  await store.deleteData(handle);
  expect(server.stats().authorized).toBe(0);
  expect(targets.length).toBeGreaterThan(0);
  expect(new Set(targets)).toEqual(new Set([`127.0.0.1:${server.port}`]));
});
