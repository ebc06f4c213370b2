import { MemoryStore } from '@mpu/core';
import { describeBlobStore } from '@mpu/conformance';

describeBlobStore('memory', () => ({
  open: async () => new MemoryStore(),
}));
