import { describe, expect, it } from 'vitest';
import type { Manifest } from '../src/manifest.js';
import { chunkLength, partSpans, sliceChunk } from '../src/read-plan.js';

function manifestOf(sizes: readonly number[], chunkSize: number): Manifest {
  let offset = 0;
  const parts = sizes.map((size, i) => {
    const part = { partId: `p${i}`, size, chunkSize, offset };
    offset += size;
    return part;
  });
  return { upload: 'u', size: offset, parts };
}

describe('read plan', () => {
  const manifest = manifestOf([0, 250, 0, 0, 100, 1], 100);

  it('skips empty parts and computes the chunks each part needs', () => {
    const spans = [...partSpans(manifest, 0, 350)].map((s) => [s.part.partId, s.first, s.last, s.localStart, s.localEnd]);
    expect(spans).toEqual([
      ['p1', 0, 2, 0, 249],
      ['p4', 0, 0, 0, 99],
      ['p5', 0, 0, 0, 0],
    ]);
  });

  it('starts at the part and chunk holding the first byte', () => {
    expect([...partSpans(manifest, 199, 250)].map((s) => [s.part.partId, s.first, s.last, s.localStart, s.localEnd])).toEqual([
      ['p1', 1, 2, 199, 249],
      ['p4', 0, 0, 0, 0],
    ]);
    expect([...partSpans(manifest, 350, 350)].map((s) => s.part.partId)).toEqual(['p5']);
  });

  it('slices stored chunks exactly', () => {
    const [span] = [...partSpans(manifest, 150, 220)];
    expect(chunkLength(span!.part, 2)).toBe(50);
    const chunk1 = Uint8Array.from({ length: 100 }, (_, i) => 100 + i);
    expect([...sliceChunk(span!, 1, chunk1)]).toEqual(Array.from({ length: 50 }, (_, i) => 150 + i));
    const chunk2 = Uint8Array.from({ length: 50 }, (_, i) => 200 + i);
    expect([...sliceChunk(span!, 2, chunk2)]).toEqual(Array.from({ length: 21 }, (_, i) => 200 + i));
  });
});
