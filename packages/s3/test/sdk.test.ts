import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, MultipartEngine } from '@mpu/core';
import { startS3Server } from '../src/index.js';
import type { RunningS3Server } from '../src/index.js';
import { runSdkScenario } from './sdk-client.js';
import { ACCESS_KEY, SECRET_KEY } from './signed-client.js';

let server: RunningS3Server;

beforeAll(async () => {
  const engine = new MultipartEngine({ store: new MemoryStore() });
  server = await startS3Server({ engine, credentials: [{ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }] });
});

afterAll(async () => {
  await server.close();
});

describe('@aws-sdk/client-s3 3.1173 with default settings', () => {
  it('stream-body PutObject (aws-chunked + trailer), buffer PutObject, listings', async () => {
    const r = await runSdkScenario(server.url, 'streamPut');
    expect(r).toMatchObject({
      sha256Equal: true,
      smallEtag: '"5d41402abc4b2a76b9719d911017c592"',
      contentType: 'application/x-test',
      metadata: { origin: 'sdk' },
      contentEncoding: null,
      listKeys: ['dir/stream put.bin'],
      listV1Keys: ['dir/stream put.bin', 'small.txt'],
    });
    expect(r.bucketNames).toContain('sdk-stream');
    expect(r.putChecksum).toMatch(/^[A-Za-z0-9+/]{6}==$/);
  });

  it('multipart with CRC32 (composite): ranged and partNumber GETs round-trip', async () => {
    const r = await runSdkScenario(server.url, 'multipartCrc32');
    expect(r).toMatchObject({
      createAlgorithm: 'CRC32', sha256Equal: true, rangeEqual: true, rangeStatus: 206, part2Equal: true, part2Status: 206,
      partsCount: 2, completeType: 'COMPOSITE', headType: 'COMPOSITE', headLength: 8 * 1024 * 1024 + 17,
    });
    expect(r.completeEtag).toMatch(/^"[0-9a-f]{32}-2"$/);
    expect(r.completeChecksum).toMatch(/-2$/);
    expect(r.location).toBe(`${server.url}/sdk-mpu/crc32%20object.bin`);
    const listed = r.listedParts as { checksum: string }[];
    expect(listed.map((p) => p.checksum)).toEqual(r.partChecksums);
  });

  it('multipart with CRC64NVME (full object): the SDK validates the combined checksum on GET', async () => {
    const r = await runSdkScenario(server.url, 'multipartCrc64');
    expect(r).toMatchObject({ createAlgorithm: 'CRC64NVME', sha256Equal: true, rangeEqual: true, part2Equal: true, completeType: 'FULL_OBJECT', headType: 'FULL_OBJECT' });
    expect(r.completeChecksum).toMatch(/^[A-Za-z0-9+/]{11}=$/);
    expect(r.headChecksum).toBe(r.completeChecksum);
  });

  it('presigned PUT, GET and UploadPart (JS presigner bakes an empty-body CRC32 into the query)', async () => {
    const r = await runSdkScenario(server.url, 'presigned');
    expect(r).toMatchObject({ putUrlHasChecksum: true, putStatus: 200, getStatus: 200, sha256Equal: true, partStatus: 200 });
    expect(r.partEtag).toBe(r.expectedPartEtag);
  });

  it('copy, UploadPartCopy, attributes, lifecycle abort headers, DeleteObjects, not-found errors', async () => {
    const r = await runSdkScenario(server.url, 'misc');
    expect(r).toMatchObject({
      uploadsListed: ['assembled'],
      assembledLength: 6 * 1024 * 1024,
      lifecycleRules: [{ id: 'abort-7d', days: 7, prefix: 'tmp/' }],
      abortRuleId: 'abort-7d',
      deleted: ['copy', 'nope'],
      noSuchKey: 'NoSuchKey', noSuchBucket: 'NoSuchBucket', noSuchUpload: 'NoSuchUpload',
    });
    expect(r.copyEtag).toMatch(/^"[0-9a-f]{32}"$/);
    expect((r.attrs as { parts: number }).parts).toBe(2);
    expect(r.abortDate).toMatch(/T00:00:00.000Z$/);
    expect(r.listPartsAbortDate).toBe(r.abortDate);
  });
});
