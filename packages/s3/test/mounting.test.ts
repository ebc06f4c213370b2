import { describe, expect, it } from 'vitest';
import { runTenantClient, startExample } from './mounting-harness.js';

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
        location: `${server.origin}${basePath}/alice-photos/dir/multi%20part%20%C3%BC.bin`,
        foreignPut: 'AccessDenied 403',
        foreignPart: 'AccessDenied 403',
        foreignCopy: 'AccessDenied 403',
        listBuckets: 'AccessDenied 403',
      });
      report = await server.stop();
      // The app's own middleware saw every request the SDK sent, the 100-continue ones too
      // (UploadPart: the SDK sends `Expect: 100-continue` for bodies over 1 MiB).
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
