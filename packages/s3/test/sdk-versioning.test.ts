import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, MultipartEngine } from '@mpu/core';
import { startS3Server } from '../src/index.js';
import type { RunningS3Server } from '../src/index.js';
import { VERSIONING_SCRIPT, runSdkScenario } from './sdk-client.js';
import { ACCESS_KEY, SECRET_KEY } from './signed-client.js';

let server: RunningS3Server;

beforeAll(async () => {
  const engine = new MultipartEngine({ store: new MemoryStore() });
  server = await startS3Server({ engine, credentials: [{ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }] });
});

afterAll(async () => {
  await server.close();
});

const VERSION_ID = /^[0-9a-f]{12}[A-Za-z0-9_-]{22}$/;

describe('@aws-sdk/client-s3 with default settings: versioning wire shapes', () => {
  it('versioning config, version ids on writes, delete markers, ListObjectVersions paging, DeleteObjects', async () => {
    const r = await runSdkScenario(server.url, 'versioning', VERSIONING_SCRIPT);
    expect(r.before).toBeNull();
    expect(r.after).toBe('Enabled');
    for (const name of ['v1', 'v2', 'copyVersion', 'completeVersion', 'markerVersion']) expect(r[name], name).toMatch(VERSION_ID);
    expect(r.oldBody).toBe('one');
    expect(r.headVersion).toBe(r.v2);
    expect(r.copySourceVersion).toBe(r.v1);
    expect(r.copyBody).toBe('one');
    expect(r.markerFlag).toBe(true);
    expect(r.getDeleted).toMatchObject({ name: 'NoSuchKey', status: 404, versionId: r.markerVersion });
    expect(r.getMarker).toMatchObject({ name: 'MethodNotAllowed', status: 405, versionId: r.markerVersion });
    expect(r.badId).toMatchObject({ name: 'InvalidArgument', status: 400 });
    // Newest first: the marker, the Complete's version, then v2 and v1 on the second page.
    expect(r.page1).toEqual({
      rows: [
        { key: 'k', versionId: r.completeVersion, latest: false, etag: expect.stringMatching(/-1"$/), size: 5, marker: false },
        { key: 'k', versionId: r.markerVersion, latest: true, marker: true },
      ],
      truncated: true, nextKey: 'k', nextVersion: r.completeVersion,
    });
    expect(r.page2).toEqual({
      rows: [
        { key: 'k', versionId: r.v2, latest: false, etag: '"b8a9f715dbb64fd5c56e7783c6820a61"', size: 3, marker: false },
        { key: 'k', versionId: r.v1, latest: false, etag: '"f97c5d29941bfb1b2fdab0874906ab82"', size: 3, marker: false },
      ],
      truncated: false,
    });
    expect(r.removed).toEqual({ versionId: r.markerVersion, deleteMarker: true });
    expect(r.restored).toBe('three');
    expect(r.batchDeleted).toEqual([
      { key: 'k', versionId: r.v2, deleteMarker: null, markerVersion: null },
      { key: 'copy', versionId: null, deleteMarker: true, markerVersion: expect.stringMatching(VERSION_ID) },
    ]);
  });
});
