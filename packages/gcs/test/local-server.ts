import { startGcsTestServer, type GcsTestServer } from '@mpu/gcs-test-server';
import { GcsStore, type GcsStoreOptions } from '../src/index.js';
import { freshPrefix } from './harness.js';

/**
 * Tests that inject faults or read the server's byte counters need the server in their own
 * process, so they always start an in-repo test server (even when MPU_GCS_ENDPOINT is set).
 */
export async function startLocalServer(): Promise<GcsTestServer> {
  return startGcsTestServer({ host: '127.0.0.1', port: 0, buckets: ['local'] });
}

export function openLocalStore(server: GcsTestServer, options: Partial<GcsStoreOptions> = {}): Promise<GcsStore> {
  return GcsStore.open({ bucket: 'local', apiEndpoint: server.url, projectId: 'test', prefix: freshPrefix(), ...options });
}
