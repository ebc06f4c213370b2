import { SMALL_MIN_PART_SIZE, describeEngine } from '@mpu/conformance';
import { CountingStore, MultipartEngine, defineLimits } from '@mpu/core';
import { FsStore } from '@mpu/fs';
import { TempDirs } from './temp-dirs.js';

const temps = new TempDirs();

describeEngine('fs', () => ({
  open: async (profile) => {
    // The suite counts bytes through the store (Complete must move none), so it gets a CountingStore.
    const store = new CountingStore(await FsStore.open({ root: await temps.make('engine') }));
    const limits = profile === 'small' ? defineLimits({ minPartSize: SMALL_MIN_PART_SIZE }) : 'aws';
    // The suite expects AWS's default (a CRC64NVME FULL_OBJECT checksum on uploads without an algorithm).
    return { engine: new MultipartEngine({ store, limits, defaultChecksum: 'CRC64NVME' }), store };
  },
  cleanup: () => temps.removeAll(),
}));
