import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startGcsTestServer, type GcsTestServer } from '../src/index.js';
import { CRC32C, type Storage, testClient } from './storage-client.js';

const md5Base64 = (bytes: Uint8Array): string => createHash('md5').update(bytes).digest('base64');
const crc32cBase64 = (bytes: Uint8Array): string => {
  const crc = new CRC32C();
  crc.update(Buffer.from(bytes));
  return crc.toString();
};

let server: GcsTestServer;
let storage: Storage;
const connections: string[] = [];

beforeAll(async () => {
  // Record every outgoing TCP connection of this worker: the client must only ever reach the
  // test server on 127.0.0.1 (no metadata server, no oauth2.googleapis.com).
  const connect = net.Socket.prototype.connect;
  vi.spyOn(net.Socket.prototype, 'connect').mockImplementation(function (this: net.Socket, ...args: unknown[]) {
    // Node passes its normalised [options, callback] pair as the first argument internally.
    const raw = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
    const first = raw as { host?: string; port?: number; path?: string } | number | string;
    connections.push(typeof first === 'object' && first !== null ? `${first.host ?? 'localhost'}:${first.port}` : String(first));
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  });
  server = await startGcsTestServer();
  storage = testClient(server.url);
  await storage.createBucket('client-tests');
});

afterAll(async () => {
  vi.restoreAllMocks();
  await server.close();
});

describe('driven by @google-cloud/storage 7.19', () => {
  it('uploads in one multipart request and reports the JSON API object resource (int64 fields as strings)', async () => {
    const bytes = randomBytes(12_345);
    const file = storage.bucket('client-tests').file('dir/one.bin');
    await file.save(bytes, { resumable: false, metadata: { contentType: 'application/x-test', metadata: { k: 'v' } } });
    const [metadata] = await file.getMetadata();
    expect(metadata.kind).toBe('storage#object');
    expect(metadata.name).toBe('dir/one.bin');
    expect(metadata.bucket).toBe('client-tests');
    expect(metadata.size).toBe('12345');
    expect(typeof metadata.generation).toBe('string');
    expect(Number(metadata.generation)).toBeLessThan(2 ** 53);
    expect(metadata.metageneration).toBe('1');
    expect(metadata.contentType).toBe('application/x-test');
    expect(metadata.metadata).toEqual({ k: 'v' });
    expect(metadata.md5Hash).toBe(md5Base64(bytes));
    expect(metadata.crc32c).toBe(crc32cBase64(bytes));
    expect(metadata.componentCount).toBeUndefined();
  });

  it('uploads resumably in one PUT (Content-Range bytes 0-*/*) and in 256 KiB chunks (308 + Range between chunks)', async () => {
    const bucket = storage.bucket('client-tests');
    const big = randomBytes(3 * 256 * 1024 + 17);
    await bucket.file('resumable-single').save(big, { resumable: true });
    await bucket.file('resumable-chunked').save(big, { resumable: true, chunkSize: 256 * 1024 });
    for (const name of ['resumable-single', 'resumable-chunked']) {
      const [metadata] = await bucket.file(name).getMetadata();
      expect(metadata.size).toBe(String(big.length));
      expect(metadata.crc32c).toBe(crc32cBase64(big));
      const [back] = await bucket.file(name).download();
      expect(back.equals(big), name).toBe(true);
    }
    // 4 chunked PUTs (3 full chunks + the last) and 1 single PUT.
    expect(server.stats().requests['objects.resumablePut']).toBeGreaterThanOrEqual(5);
  });

  it('uploads empty objects by every path', async () => {
    const bucket = storage.bucket('client-tests');
    await bucket.file('empty-multipart').save(Buffer.alloc(0), { resumable: false });
    await bucket.file('empty-resumable').save(Buffer.alloc(0), { resumable: true });
    for (const name of ['empty-multipart', 'empty-resumable']) {
      const [metadata] = await bucket.file(name).getMetadata();
      // Left out, as storage-testbench does for zero values (see stored-object.ts).
      expect(metadata.size).toBeUndefined();
      expect(metadata.crc32c).toBe('AAAAAA==');
      const [back] = await bucket.file(name).download();
      expect(back.length).toBe(0);
    }
  });

  it('downloads whole objects with validation and byte ranges (206) — the client validates X-Goog-Hash', async () => {
    const bytes = randomBytes(100_000);
    const file = storage.bucket('client-tests').file('ranges');
    await file.save(bytes, { resumable: false });
    const [whole] = await file.download({ validation: 'crc32c' });
    expect(whole.equals(bytes)).toBe(true);
    const [md5Checked] = await file.download({ validation: 'md5' });
    expect(md5Checked.equals(bytes)).toBe(true);
    for (const [start, end] of [[0, 0], [99_999, 99_999], [1000, 70_000], [0, 99_999]] as const) {
      const [part] = await file.download({ start, end });
      expect(part.equals(bytes.subarray(start, end + 1)), `${start}-${end}`).toBe(true);
    }
    const [tail] = await file.download({ start: 99_990 });
    expect(tail.equals(bytes.subarray(99_990))).toBe(true);
  });

  it('composes: bytes concatenated, combined crc32c, no md5Hash, componentCount summed through nested composites', async () => {
    const bucket = storage.bucket('client-tests');
    const pieces = [randomBytes(1000), randomBytes(0), randomBytes(77_777)];
    for (const [i, piece] of pieces.entries()) await bucket.file(`c/${i}`).save(piece, { resumable: false });
    const [composite] = await bucket.combine(['c/0', 'c/1', 'c/2'], 'c/all');
    const [metadata] = await composite.getMetadata();
    const all = Buffer.concat(pieces);
    expect(metadata.size).toBe(String(all.length));
    expect(metadata.crc32c).toBe(crc32cBase64(all));
    expect(metadata.md5Hash).toBeUndefined();
    expect(metadata.componentCount).toBe(3);
    const [nested] = await bucket.combine(['c/all', 'c/0'], 'c/nested');
    const [nestedMetadata] = await nested.getMetadata();
    expect(nestedMetadata.componentCount).toBe(4);
    const [back] = await nested.download({ validation: 'crc32c' });
    expect(back.equals(Buffer.concat([all, pieces[0]!]))).toBe(true);
    // A composite has no MD5, so an md5-validated download must be refused by the client.
    await expect(nested.download({ validation: 'md5' })).rejects.toThrow();
  });

  it('lists in UTF-8 byte order with prefix, delimiter, pagination and start/end offsets', async () => {
    const bucket = storage.bucket('client-tests');
    const names = ['l/a', 'l/b/1', 'l/b/2', 'l/c', 'l/\u00e9', 'l/\u{1f600}', 'l/\ue000', 'l/z'];
    for (const name of names) await bucket.file(name).save('x', { resumable: false });
    const sorted = [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    const [all] = await bucket.getFiles({ prefix: 'l/' });
    expect(all.map((f) => f.name)).toEqual(sorted);
    const [page, next] = await bucket.getFiles({ prefix: 'l/', maxResults: 3, autoPaginate: false });
    expect(page.map((f) => f.name)).toEqual(sorted.slice(0, 3));
    const [page2] = await bucket.getFiles({ ...(next as object), autoPaginate: false });
    expect(page2.map((f) => f.name)).toEqual(sorted.slice(3, 6));
    const [, , response] = await bucket.getFiles({ prefix: 'l/', delimiter: '/', autoPaginate: false });
    expect((response as { prefixes?: string[] }).prefixes).toEqual(['l/b/']);
    const [ranged] = await bucket.getFiles({ prefix: 'l/', startOffset: 'l/b/2', endOffset: 'l/\u00e9' });
    expect(ranged.map((f) => f.name)).toEqual(['l/b/2', 'l/c', 'l/z']);
  });

  it('honours ifGenerationMatch on insert, metageneration on PATCH, and deletes with 204', async () => {
    const file = storage.bucket('client-tests').file('cas');
    await file.save('one', { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } });
    await expect(file.save('two', { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } })).rejects.toMatchObject({ code: 412 });
    const [before] = await file.getMetadata();
    await file.save('three', { resumable: false, preconditionOpts: { ifGenerationMatch: Number(before.generation) } });
    const [after] = await file.getMetadata();
    expect(BigInt(after.generation!)).toBeGreaterThan(BigInt(before.generation!));
    const [patched] = await file.setMetadata({ metadata: { tag: 'x' } }, { ifMetagenerationMatch: 1 });
    expect(patched.metageneration).toBe('2');
    expect(patched.metadata).toEqual({ tag: 'x' });
    await expect(file.setMetadata({ metadata: { tag: 'y' } }, { ifMetagenerationMatch: 1 })).rejects.toMatchObject({ code: 412 });
    await expect(file.delete({ ifGenerationMatch: Number(before.generation) })).rejects.toMatchObject({ code: 412 });
    await file.delete({ ifGenerationMatch: Number(after.generation) });
    await expect(file.getMetadata()).rejects.toMatchObject({ code: 404 });
  });

  it('creates, gets and deletes buckets; a non-empty bucket cannot be deleted (409)', async () => {
    const [bucket] = await storage.createBucket('client-tests-2');
    const [metadata] = await bucket.getMetadata();
    expect(metadata.name).toBe('client-tests-2');
    await expect(storage.createBucket('client-tests-2')).rejects.toMatchObject({ code: 409 });
    await bucket.file('x').save('x', { resumable: false });
    await expect(bucket.delete()).rejects.toMatchObject({ code: 409 });
    await bucket.file('x').delete();
    await bucket.delete();
    await expect(bucket.getMetadata()).rejects.toMatchObject({ code: 404 });
  });

  it('never connected anywhere but the test server on 127.0.0.1', () => {
    expect(connections.length).toBeGreaterThan(0);
    for (const target of connections) expect(target).toBe(`127.0.0.1:${server.port}`);
    expect(server.stats().authorized).toBe(0); // and no Authorization header was ever sent
  });
});
