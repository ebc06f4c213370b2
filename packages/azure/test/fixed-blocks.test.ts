import { describe, expect, it } from 'vitest';
import { cutBlocks } from '../src/fixed-blocks.js';

async function* chunks(sizes: number[]): AsyncIterable<Uint8Array> {
  let next = 0;
  for (const size of sizes) yield Uint8Array.from({ length: size }, () => next++ & 0xff);
}

async function cut(sizes: number[], blockSize: number): Promise<{ sizes: number[]; lasts: boolean[]; bytes: Buffer }> {
  const out = { sizes: [] as number[], lasts: [] as boolean[], parts: [] as Buffer[] };
  for await (const block of cutBlocks(chunks(sizes), blockSize)) {
    out.sizes.push(block.bytes.length);
    out.lasts.push(block.last);
    out.parts.push(block.bytes); // owned: kept as is, so reuse by the cutter would show
  }
  return { sizes: out.sizes, lasts: out.lasts, bytes: Buffer.concat(out.parts) };
}

describe('cutBlocks', () => {
  it('cuts exact blocks, flags only the last, and keeps every byte in order', async () => {
    const result = await cut([3, 7, 1, 9, 5], 4);
    expect(result.sizes).toEqual([4, 4, 4, 4, 4, 4, 1]);
    expect(result.lasts).toEqual([false, false, false, false, false, false, true]);
    expect([...result.bytes]).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it('flags a final block that is exactly full', async () => {
    expect((await cut([8], 4)).lasts).toEqual([false, true]);
    expect((await cut([4], 4)).sizes).toEqual([4]);
  });

  it('yields nothing for an empty body', async () => {
    expect((await cut([0, 0], 4)).sizes).toEqual([]);
  });

  it('grows its buffer past 64 KiB for large blocks', async () => {
    const result = await cut([100_000, 100_000, 100_000], 256 * 1024);
    expect(result.sizes).toEqual([262_144, 37_856]);
    expect(result.bytes.length).toBe(300_000);
    expect(result.bytes[299_999]).toBe(299_999 & 0xff);
  });
});
