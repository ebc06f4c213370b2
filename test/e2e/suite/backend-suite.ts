import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BackendName, type BackendServer, startBackendServer } from '../harness/backends.js';
import { sendSigned } from '../harness/signed-request.js';
import { defineAclTests } from './acl-tests.js';
import { defineAwsCliTests } from './aws-cli-tests.js';
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

    defineAwsCliTests(endpoint, `e2e-${backend}`);
    defineSdkTests(endpoint, `e2e-${backend}`, options);
    defineAclTests(endpoint, `e2e-${backend}`);
  });
}
