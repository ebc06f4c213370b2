import { describeBlobStore } from '@mpu/conformance';
import { GcsStore } from '../src/index.js';
import { bucketName, freshPrefix, openSharedStore, sharedEndpoint } from './harness.js';

// The whole BlobStore suite against the GCS test server (or MPU_GCS_ENDPOINT). Each test gets
// its own prefix in the shared bucket; reopen builds a new client over the same prefix.
describeBlobStore('gcs', () => ({
  open: () => openSharedStore({ prefix: freshPrefix('conf') }),
  async reopen(store) {
    await store.close();
    const prefix = (store as GcsStore).prefix;
    return GcsStore.open({ bucket: bucketName, apiEndpoint: sharedEndpoint(), projectId: 'test', prefix });
  },
}), { largePartBytes: 64 * 1024 * 1024, manyParts: 1000 });
