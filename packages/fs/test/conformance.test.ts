import { describeBlobStore } from '@mpu/conformance';
import type { BlobStore } from '@mpu/core';
import { FsStore } from '@mpu/fs';
import { TempDirs } from './temp-dirs.js';

const temps = new TempDirs();
const roots = new WeakMap<BlobStore, string>();

async function openAt(root: string): Promise<BlobStore> {
  const store = await FsStore.open({ root });
  roots.set(store, root);
  return store;
}

describeBlobStore('fs', () => ({
  open: async () => openAt(await temps.make('conf')),
  reopen: async (store) => {
    const root = roots.get(store);
    if (root === undefined) throw new Error('reopen of a store this harness did not open');
    await store.close();
    return openAt(root);
  },
  cleanup: () => temps.removeAll(),
}));
