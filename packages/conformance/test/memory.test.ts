import { type BlobStore, CountingStore, MemoryStore, MultipartEngine, defineLimits } from '@mpu/core';
import { SMALL_MIN_PART_SIZE, describeBlobStore, describeEngine } from '@mpu/conformance';

describeBlobStore('memory', () => ({
  open: async () => new MemoryStore(),
}));

/**
 * A view of a MemoryStore whose close() only closes the view, so "reopen" finds the same data.
 * It exercises the suite's durability path, which real durable backends (fs, level) take.
 */
class ReopenableView extends CountingStore {
  override async close(): Promise<void> {
    // Closing the view leaves the shared MemoryStore open, as a durable backend's files stay.
  }
}

describeBlobStore('memory via a reopenable view', () => ({
  open: async () => new ReopenableView(new MemoryStore()),
  reopen: async (store: BlobStore) => {
    await store.close();
    return new ReopenableView((store as ReopenableView).inner);
  },
}), { largePartBytes: 4 * 1024 * 1024 + 3, manyParts: 200 });

describeEngine('MultipartEngine on MemoryStore', () => ({
  open: async (profile) => {
    const store = new CountingStore(new MemoryStore());
    const limits = profile === 'aws' ? 'aws' : defineLimits({ minPartSize: SMALL_MIN_PART_SIZE });
    // defaultChecksum is opt-in in the engine (it costs ingest speed); the suite checks the
    // AWS-faithful configuration, where objects uploaded without a checksum get CRC64NVME.
    return { engine: new MultipartEngine({ store, limits, defaultChecksum: 'CRC64NVME' }), store };
  },
}));
