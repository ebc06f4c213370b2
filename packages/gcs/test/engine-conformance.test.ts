import { SMALL_MIN_PART_SIZE, describeEngine } from '@mpu/conformance';
import { CountingStore, MultipartEngine, defineLimits } from '@mpu/core';
import { freshPrefix, openSharedStore } from './harness.js';

// S3 multipart semantics through the engine, over GcsStore on the GCS test server (or
// MPU_GCS_ENDPOINT); each engine gets its own prefix in the shared bucket. The store is
// wrapped in CountingStore so the suite can check that Complete moves no part bytes.
describeEngine('gcs', () => ({
  open: async (profile) => {
    const store = new CountingStore(await openSharedStore({ prefix: freshPrefix('engine') }));
    const limits = profile === 'small' ? defineLimits({ minPartSize: SMALL_MIN_PART_SIZE }) : 'aws';
    // The suite expects AWS's default (a CRC64NVME FULL_OBJECT checksum on uploads without an algorithm).
    return { engine: new MultipartEngine({ store, limits, defaultChecksum: 'CRC64NVME' }), store };
  },
}));
