import { describeBlobStore } from '@mpu/conformance';
import type { BlobStore } from '@mpu/core';
import { LevelStore } from '../src/index.js';
import { tempDir } from './helpers/temp-dir.js';

const dirs: Awaited<ReturnType<typeof tempDir>>[] = [];
const locations = new WeakMap<BlobStore, string>();

async function openAt(location: string): Promise<BlobStore> {
  const store = await LevelStore.open({ location });
  locations.set(store, location);
  return store;
}

describeBlobStore('level', () => ({
  open: async () => {
    const dir = await tempDir('mpu-level-conf-');
    dirs.push(dir);
    return openAt(dir.path);
  },
  reopen: async (store) => {
    const location = locations.get(store);
    if (location === undefined) throw new Error('reopen of a store this harness did not open');
    await store.close();
    return openAt(location);
  },
  cleanup: async () => {
    await Promise.all(dirs.map((dir) => dir.remove()));
  },
}), {
  // 1 GiB through one writePart and back (generated and hashed while streaming): chunking,
  // compaction and memory stay sane at a size where buffering would show.
  largePartBytes: 1024 ** 3,
});
