import { afterAll, describe, expect, it } from 'vitest';
import { UnknownHandleError } from '@mpu/core';
import { FsStore } from '@mpu/fs';
import { bodyOf } from './body.js';
import { TempDirs } from './temp-dirs.js';

const temps = new TempDirs();
afterAll(() => temps.removeAll());

describe('deleteData while the object is being read', () => {
  it('the reader gets every byte; the data goes when the last reader ends', async () => {
    const store = await FsStore.open({ root: await temps.make('read-during-delete') });
    try {
      const parts = ['aaaa', 'bbbb', 'cccc'];
      const refs = [];
      for (const [index, text] of parts.entries()) {
        const partId = `p${index}`;
        const { size } = await store.writePart('u1', partId, bodyOf(Buffer.from(text)));
        refs.push({ partId, size });
      }
      const handle = await store.assemble('u1', refs);

      const reader = store.read(handle)[Symbol.asyncIterator]();
      const first = await reader.next(); // the first part file is open, the others are not yet
      await store.deleteData(handle); // the object was overwritten meanwhile
      const chunks = [Buffer.from(first.value as Uint8Array)];
      for (let next = await reader.next(); !next.done; next = await reader.next()) chunks.push(Buffer.from(next.value));
      expect(Buffer.concat(chunks).toString()).toBe('aaaabbbbcccc');

      // Once unread, the deferred delete runs: the handle stops resolving.
      let error: unknown;
      for (let waited = 0; waited < 5000 && !(error instanceof UnknownHandleError); waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        error = await (async () => { for await (const _ of store.read(handle)) { /* drain */ } })().then(() => undefined, (e: unknown) => e);
      }
      expect(error).toBeInstanceOf(UnknownHandleError);
    } finally {
      await store.close();
    }
  });
});
