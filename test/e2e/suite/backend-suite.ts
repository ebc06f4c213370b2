import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BackendName, type BackendServer, startBackendServer } from '../harness/backends.js';
import { sendSigned } from '../harness/signed-request.js';
import { defineAclTests } from './acl-tests.js';
import { defineAwsCliTests } from './aws-cli-tests.js';
import { defineCorsTests } from './cors-tests.js';
import { type SdkTestOptions, defineSdkTests } from './sdk-tests.js';

/**
 * The same client suite against `mpu serve` on one backend: the aws CLI session, the JS SDK
 * (defaults, lib-storage, presigner) and boto3, each round-tripping bytes exactly.
 */
export function defineBackendSuite(backend: BackendName, options: SdkTestOptions): void {
  describe(`mpu serve --backend ${backend}`, () => {
    let running: BackendServer | undefined;
    const endpoint = (): string => {
      if (!running) throw new Error(`the ${backend} server did not start`);
      return running.server.url;
    };

    beforeAll(async () => {
      running = await startBackendServer(backend);
    }, 90_000);
    afterAll(async () => {
      await running?.stop();
    }, 60_000);
    // A failing client rarely says why the server refused: show what the server logged.
    afterEach((context) => {
      if (context.task.result?.state !== 'fail' || !running) return;
      const notable = running.server.logs.filter((l) => Number(l['status'] ?? 0) >= 400 || Number(l['level'] ?? 0) >= 40).slice(-20);
      console.error(`mpu serve (${backend}) log, last warnings and errors:\n${notable.map((l) => JSON.stringify(l)).join('\n')}\n${running.server.stderr()}`);
    });

    it('logs the ready line with the backend, then one JSON line per request', async () => {
      const ready = running?.server.logs.find((l) => l.msg === 'mpu S3 endpoint ready');
      expect(ready).toMatchObject({ backend, url: endpoint() });
      const res = await sendSigned(endpoint(), { method: 'GET', path: '/' });
      expect(res.status).toBe(200);
      const requestId = res.headers['x-amz-request-id'];
      await expect.poll(() => running?.server.logs.find((l) => l['requestId'] === requestId), { timeout: 10_000 }).toMatchObject({
        msg: 's3 request', operation: 'ListBuckets', method: 'GET', status: 200, bytesIn: 0, bytesOut: res.text.length, ms: expect.any(Number),
      });
    });

    // On gcs, 0-byte objects come back without a `size` field from Google's emulator (and from
    // our test server, which does the same): every 0-byte write once failed with 500 there.
    it('stores and reads back a 0-byte object and a multipart object with a 0-byte last part', async () => {
      const bucket = `e2e-${backend}-empty`;
      expect((await sendSigned(endpoint(), { method: 'PUT', path: `/${bucket}` })).status).toBe(200);
      expect((await sendSigned(endpoint(), { method: 'PUT', path: `/${bucket}/empty`, body: '' })).status).toBe(200);
      const empty = await sendSigned(endpoint(), { method: 'GET', path: `/${bucket}/empty` });
      expect({ status: empty.status, text: empty.text, etag: empty.headers.etag }).toEqual({ status: 200, text: '', etag: '"d41d8cd98f00b204e9800998ecf8427e"' });

      const created = await sendSigned(endpoint(), { method: 'POST', path: `/${bucket}/mp?uploads` });
      const uploadId = encodeURIComponent(/<UploadId>([^<]+)<\/UploadId>/.exec(created.text)?.[1] ?? '');
      const part = await sendSigned(endpoint(), { method: 'PUT', path: `/${bucket}/mp?partNumber=1&uploadId=${uploadId}`, body: '' });
      expect(part.status).toBe(200);
      const completeXml = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${String(part.headers.etag)}</ETag></Part></CompleteMultipartUpload>`;
      const completed = await sendSigned(endpoint(), { method: 'POST', path: `/${bucket}/mp?uploadId=${uploadId}`, body: completeXml });
      expect({ status: completed.status, etag: /<ETag>([^<]+)<\/ETag>/.exec(completed.text)?.[1] }).toEqual({ status: 200, etag: expect.stringMatching(/-1"$/) });
      const object = await sendSigned(endpoint(), { method: 'GET', path: `/${bucket}/mp` });
      expect({ status: object.status, length: object.headers['content-length'], text: object.text }).toEqual({ status: 200, length: '0', text: '' });
    });

    defineAwsCliTests(endpoint, `e2e-${backend}`);
    defineCorsTests(endpoint, `e2e-${backend}`);
    defineSdkTests(endpoint, `e2e-${backend}`, options);
    defineAclTests(endpoint, `e2e-${backend}`);
  });
}
