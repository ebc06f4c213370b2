import { describe, expect, it } from 'vitest';
import { BODY_ALREADY_CONSUMED } from '../src/consumed-body.js';
import { TENANTS } from '../examples/tenants.js';
import { runTenantClient, startExample } from './mounting-harness.js';
import { errorCode, send } from './signed-client.js';

const MiB = 1024 * 1024;

// Each example of packages/s3/examples (the README shows them verbatim), at the root and
// under a base path, driven by @aws-sdk/client-s3 as tenant "alice" (buckets `alice-*`).
describe.each(['node-http', 'express', 'fastify'])('mounting example %s', (name) => {
  it.each(['', '/s3'])('base path %j: multipart round trip, tenant authorization, the app sees every request', async (basePath) => {
    const server = await startExample(name, basePath);
    let report;
    try {
      const r = await runTenantClient(`${server.origin}${basePath}`, 'AKIDALICE', 'alice-photos', 'bob-photos');
      expect(r).toMatchObject({
        sha256Equal: true,
        length: 8 * MiB + 7,
        headLength: 8 * MiB + 7,
        listedKeys: ['dir/multi part ü.bin'],
        location: `${server.origin}${basePath}/alice-photos/dir/multi%20part%20%C3%BC.bin`,
        foreignPut: 'AccessDenied 403',
        foreignPart: 'AccessDenied 403',
        foreignCopy: 'AccessDenied 403',
        listBuckets: 'AccessDenied 403',
      });
      report = await server.stop();
      // The app's own middleware saw every request the SDK sent, the 100-continue ones too
      // (the SDK sends its UploadPart bodies with `Expect: 100-continue`).
      expect(report.seen).toEqual(r.sent);
      expect(r.sent.every((s) => s.path.startsWith(`${basePath}/`))).toBe(true);
      expect(r.sent.filter((s) => s.expect === '100-continue' && s.path.startsWith(`${basePath}/alice-photos/`))).toHaveLength(2);
      expect(r.sent.filter((s) => s.expect === '100-continue' && s.path.startsWith(`${basePath}/bob-photos/`)).length).toBeGreaterThanOrEqual(1);
      // Nothing reached the other tenant's bucket.
      expect(report.objects).toEqual({ 'alice-photos': ['dir/multi part ü.bin'], 'bob-photos': [] });
    } finally {
      if (report === undefined) await server.stop();
    }
  });
});

describe('Express with express.json() mounted before the S3 handler', () => {
  it('a JSON upload the parser consumed is a logged 500 InternalError, never an empty object', async () => {
    const server = await startExample('express-body-parser', '');
    const alice = { accessKey: 'AKIDALICE', secret: TENANTS.AKIDALICE?.secretAccessKey };
    try {
      expect((await send(server.origin, { method: 'PUT', url: '/alice-docs', ...alice })).status).toBe(200);
      const json = await send(server.origin, { method: 'PUT', url: '/alice-docs/doc.json', body: '{"a":1}', headers: { 'content-type': 'application/json' }, ...alice });
      expect({ status: json.status, code: errorCode(json.text) }).toEqual({ status: 500, code: 'InternalError' });
      // Bodies the parser leaves alone (other content types) still stream through.
      const text = await send(server.origin, { method: 'PUT', url: '/alice-docs/doc.txt', body: 'plain', headers: { 'content-type': 'text/plain' }, ...alice });
      expect(text.status).toBe(200);
    } finally {
      const report = await server.stop();
      expect(report.objects['alice-docs']).toEqual(['doc.txt']);
      expect(report.logged).toEqual([{ msg: 'internal error', err: BODY_ALREADY_CONSUMED }]);
    }
  });
});
