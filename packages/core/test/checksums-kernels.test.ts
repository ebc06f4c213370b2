import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc32cKernel, jsCrc32cKernel } from '../src/checksums/crc32c.js';
import { crc64NvmeKernel, jsCrc64NvmeKernel } from '../src/checksums/crc64nvme.js';
import type { CrcKernel } from '../src/checksums/crc-tables.js';

// The wasm kernels are emitted at run time; the plain-JS slicing-by-8 kernels are an
// independent second implementation (different slicing, different arithmetic) to hold them to.
const KERNELS: [string, () => CrcKernel, CrcKernel, number][] = [
  ['CRC32C', crc32cKernel, jsCrc32cKernel, 0],
  ['CRC64NVME', crc64NvmeKernel, jsCrc64NvmeKernel, 0xffffffff],
];

function run(kernel: CrcKernel, chunks: readonly Uint8Array[], initHi: number): [number, number] {
  const register = { lo: 0xffffffff, hi: initHi };
  for (const chunk of chunks) kernel.update(register, chunk);
  return [register.lo, register.hi];
}

describe.each(KERNELS)('%s kernels', (_name, fast, js, initHi) => {
  it('uses WebAssembly in this runtime (no silent fallback)', () => {
    expect(fast()).not.toBe(js);
  });

  it('wasm and JS agree on random data, offsets and chunkings', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.nat(7),
        fc.array(fc.nat(600), { maxLength: 5 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (data, offset, cuts, seed) => {
          const view = data.subarray(Math.min(offset, data.length)); // unaligned starts
          const points = [...new Set(cuts.map((c) => c % (view.length + 1)))].sort((a, b) => a - b);
          const chunks: Uint8Array[] = [];
          let start = 0;
          for (const point of [...points, view.length]) {
            chunks.push(view.subarray(start, point));
            start = point;
          }
          const register = { lo: seed, hi: initHi ? seed ^ 0x5a5a5a5a : 0 };
          const a = { ...register };
          const b = { ...register };
          for (const chunk of chunks) fast().update(a, chunk);
          js.update(b, view);
          expect(a).toEqual(b);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('agrees across the 64 KiB copy window and beyond', () => {
    const data = new Uint8Array(3 * 65536 + 123);
    for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
    for (const length of [65535, 65536, 65537, 131072 + 15, data.length]) {
      expect(run(fast(), [data.subarray(1, length)], initHi)).toEqual(run(js, [data.subarray(1, length)], initHi));
    }
  });
});
