import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3Error } from '@mpu/core';
import type { CompleteMultipartUploadInput, CompleteMultipartUploadResult, Engine } from '@mpu/core';
import { startS3Server } from '../src/index.js';
import type { RunningS3Server } from '../src/index.js';
import { ACCESS_KEY, SECRET_KEY, send } from './signed-client.js';

/** A Complete that takes `delayMs`, then succeeds or fails — to exercise the keep-alive path. */
function slowEngine(): Engine {
  const engine: Partial<Engine> = {
    async completeMultipartUpload(input: CompleteMultipartUploadInput): Promise<CompleteMultipartUploadResult> {
      const delayMs = input.uploadId.startsWith('slow') ? 300 : 0;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (input.uploadId.endsWith('fail')) throw new S3Error('InvalidPart', undefined, { UploadId: input.uploadId });
      return { bucket: input.bucket, key: input.key, etag: '"7cbb08aa3c3309d6882c18fcecc4bee7-2"', size: 1 };
    },
  };
  return engine as Engine;
}

let server: RunningS3Server;
const body = '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>';

beforeAll(async () => {
  server = await startS3Server({ engine: slowEngine(), credentials: [{ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }], completeKeepAliveMs: 50 });
});

afterAll(async () => {
  await server.close();
});

describe('CompleteMultipartUpload keep-alive (§1.4)', () => {
  it('a fast Complete is answered normally, errors with their real status', async () => {
    const ok = await send(server.url, { method: 'POST', url: '/b/k?uploadId=fast', body });
    expect(ok.status).toBe(200);
    expect(ok.headers['content-length']).toBeDefined();
    expect(ok.text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<CompleteMultipartUploadResult /);
    expect((await send(server.url, { method: 'POST', url: '/b/k?uploadId=fast-fail', body })).status).toBe(400);
  });

  it('a slow Complete gets 200, the declaration first, whitespace, then the result', async () => {
    const res = await send(server.url, { method: 'POST', url: '/b/k?uploadId=slow', body });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n {2,}<CompleteMultipartUploadResult xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/">.*<ETag>"7cbb08aa3c3309d6882c18fcecc4bee7-2"<\/ETag><\/CompleteMultipartUploadResult>$/s);
  });

  it('a slow Complete that fails ends the 200 with an <Error> document', async () => {
    const res = await send(server.url, { method: 'POST', url: '/b/k?uploadId=slow-fail', body });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n +<Error><Code>InvalidPart<\/Code>.*<UploadId>slow-fail<\/UploadId><RequestId>[0-9A-F]{16}<\/RequestId><HostId>[^<]+<\/HostId><\/Error>$/s);
  });
});
