import type { ContainerClient } from '@azure/storage-blob';
import { describe, expect, it } from 'vitest';
import { parseBlockId } from '../src/block-ids.js';
import { DataBlobs } from '../src/data-blobs.js';

/** A fake data blob whose Put Block calls stay pending until released, to observe staging. */
function fakeBlob(failAt?: number) {
  const state = { inFlight: 0, maxInFlight: 0, staged: [] as { index: number; last: boolean; size: number }[], pending: 0 };
  const blob = {
    stageBlock: async (id: string, bytes: Buffer) => {
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      state.inFlight--;
      const parsed = parseBlockId(id)!;
      if (parsed.index === failAt) throw Object.assign(new Error('bad request'), { statusCode: 400 });
      state.staged.push({ index: parsed.index, last: parsed.last, size: bytes.byteLength });
      return {};
    },
  };
  const container = { getBlockBlobClient: () => blob } as unknown as ContainerClient;
  return { state, container };
}

async function* chunks(count: number, size: number, pulled: { count: number }): AsyncIterable<Uint8Array> {
  for (let i = 0; i < count; i++) {
    pulled.count++;
    yield Buffer.alloc(size, i);
  }
}

describe('staging a part', () => {
  for (const stageConcurrency of [1, 2, 4]) {
    it(`keeps at most ${stageConcurrency} Put Block calls in flight and reads the body only as fast`, async () => {
      const { state, container } = fakeBlob();
      const data = new DataBlobs(container, '', { blockSize: 100, stageConcurrency, transactionalMd5: true });
      const pulled = { count: 0 };
      const { size } = await data.writePart('u', 'p', chunks(40, 50, pulled), {});
      expect(size).toBe(2000);
      expect(state.maxInFlight).toBe(stageConcurrency);
      expect(state.inFlight).toBe(0);
      expect(state.staged.map((b) => b.index).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(state.staged.filter((b) => b.last).map((b) => b.index)).toEqual([19]);
    });
  }

  it('fails the part on a failed block, after every other request has settled, and stops reading', async () => {
    const { state, container } = fakeBlob(3);
    const data = new DataBlobs(container, '', { blockSize: 100, stageConcurrency: 3, transactionalMd5: false });
    const pulled = { count: 0 };
    await expect(data.writePart('u', 'p', chunks(400, 50, pulled), {})).rejects.toMatchObject({ statusCode: 400 });
    expect(state.inFlight).toBe(0);
    expect(pulled.count).toBeLessThan(30);
  });

  it('waits for blocks in flight when the body throws', async () => {
    const { state, container } = fakeBlob();
    const data = new DataBlobs(container, '', { blockSize: 100, stageConcurrency: 4, transactionalMd5: false });
    async function* broken(): AsyncIterable<Uint8Array> {
      yield Buffer.alloc(350);
      throw new Error('client went away');
    }
    await expect(data.writePart('u', 'p', broken(), {})).rejects.toThrow('client went away');
    expect(state.inFlight).toBe(0);
    expect(state.staged.every((b) => !b.last)).toBe(true);
  });
});
