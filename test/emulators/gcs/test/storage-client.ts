import { CRC32C, Storage } from '../../../../packages/gcs/node_modules/@google-cloud/storage/build/esm/src/index.js';

// The test server package declares no dependency on @google-cloud/storage (none may be added):
// its tests borrow the copy @mpu/gcs has installed, by path.
export { CRC32C, Storage };

/**
 * A client pointed at the test server. A custom `apiEndpoint` (not *.googleapis.com) makes
 * 7.x skip google-auth-library entirely (no Authorization header, no metadata-server probe),
 * and an explicit `projectId` avoids project discovery. STORAGE_EMULATOR_HOST is not used: it
 * rewrites the base path and breaks uploads.
 */
export function testClient(apiEndpoint: string, retries = 0): Storage {
  return new Storage({
    apiEndpoint,
    projectId: 'test',
    retryOptions: { autoRetry: retries > 0, maxRetries: retries, retryDelayMultiplier: 1.1, totalTimeout: 30, maxRetryDelay: 1 },
  });
}
