import type { TestProject } from 'vitest/node';
import { startGcsTestServer, type GcsTestServer } from '@mpu/gcs-test-server';

declare module 'vitest' {
  export interface ProvidedContext {
    /** JSON-API endpoint the gcs tests run against (MPU_GCS_ENDPOINT, or the in-repo test server). */
    gcsEndpoint: string;
  }
}

/** Bucket the shared endpoint starts with; tests isolate themselves by object prefix. */
export const TEST_BUCKET = 'mpu-test';

let server: GcsTestServer | undefined;

/**
 * Starts the in-repo GCS test server on 127.0.0.1 (a free port) for project `gcs`, unless
 * MPU_GCS_ENDPOINT points the tests at another endpoint.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.MPU_GCS_ENDPOINT;
  if (external) {
    project.provide('gcsEndpoint', external);
    return async () => {};
  }
  server = await startGcsTestServer({ host: '127.0.0.1', port: 0, buckets: [TEST_BUCKET] });
  project.provide('gcsEndpoint', server.url);
  return async () => {
    await server?.close();
    server = undefined;
  };
}
