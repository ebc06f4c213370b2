import { describeEngine, SMALL_MIN_PART_SIZE } from '@mpu/conformance';
import { CountingStore, defineLimits, MultipartEngine } from '@mpu/core';
import { type AzureTestHarness, azureTestHarness } from './azure-harness.js';

/**
 * The engine conformance suite (S3 multipart semantics) over AzureStore on Azurite, or on the
 * account named by MPU_AZURE_CONNECTION_STRING. Every engine gets a store under a fresh
 * prefix of one container.
 */
let harness: AzureTestHarness | undefined;

describeEngine('MultipartEngine on AzureStore', async () => {
  harness = await azureTestHarness();
  const h = harness;
  return {
    open: async (profile) => {
      // Wrapped so the suite can count part bytes moved through the store during Complete.
      const store = new CountingStore(await h.open());
      const limits = profile === 'aws' ? 'aws' : defineLimits({ minPartSize: SMALL_MIN_PART_SIZE });
      return { engine: new MultipartEngine({ store, limits, defaultChecksum: 'CRC64NVME' }), store };
    },
    cleanup: () => h.cleanup(),
  };
});
