import { SMALL_MIN_PART_SIZE, describeEngine } from '@mpu/conformance';
import { CountingStore, MultipartEngine, defineLimits } from '@mpu/core';
import { LevelStore } from '../src/index.js';
import { tempDir } from './helpers/temp-dir.js';

const dirs: Awaited<ReturnType<typeof tempDir>>[] = [];

describeEngine('level', () => ({
  open: async (profile) => {
    const dir = await tempDir('mpu-level-engine-');
    dirs.push(dir);
    // Counted, so the suite can prove Complete and Abort move no part bytes.
    const store = new CountingStore(await LevelStore.open({ location: dir.path }));
    const limits = profile === 'small' ? defineLimits({ minPartSize: SMALL_MIN_PART_SIZE }) : 'aws';
    // AWS gives objects uploaded without an algorithm a CRC64NVME FULL_OBJECT checksum; the suite
    // checks that behaviour, which the engine makes opt-in (it costs ingest speed).
    return { engine: new MultipartEngine({ store, limits, defaultChecksum: 'CRC64NVME' }), store };
  },
  cleanup: async () => {
    await Promise.all(dirs.map((dir) => dir.remove()));
  },
}));
