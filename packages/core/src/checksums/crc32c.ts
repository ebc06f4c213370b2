/**
 * CRC-32C (Castagnoli), reflected poly 0x82F63B78, init = xorout = 0xFFFFFFFF.
 *
 * Node has no native CRC-32C and `@aws-crypto/crc32c` walks the buffer byte by byte through a
 * downlevelled iterator (126 MB/s measured). This uses the wasm slicing-by-16 kernel (2.4 GB/s)
 * with a plain-JS slicing-by-8 fallback (1.1 GB/s); benchmarks/checksums/crc-throughput.ts.
 */
import { buildCrcTables, type CrcKernel, type CrcRegister } from './crc-tables.js';
import { createWasmCrcKernel } from './wasm-crc-kernel.js';

const POLY = 0x82f63b78;

/** Plain-JS slicing-by-8: the fallback without WebAssembly and the tests' second opinion. */
export const jsCrc32cKernel: CrcKernel = (() => {
  const t = buildCrcTables(POLY, 0, 8).lo;
  return {
    update(register: CrcRegister, data: Uint8Array): void {
      let crc = register.lo;
      let i = 0;
      const end8 = data.length - (data.length & 7);
      while (i < end8) {
        const lo = crc ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
        const hi = data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24);
        crc =
          t[1792 + (lo & 0xff)]! ^
          t[1536 + ((lo >>> 8) & 0xff)]! ^
          t[1280 + ((lo >>> 16) & 0xff)]! ^
          t[1024 + (lo >>> 24)]! ^
          t[768 + (hi & 0xff)]! ^
          t[512 + ((hi >>> 8) & 0xff)]! ^
          t[256 + ((hi >>> 16) & 0xff)]! ^
          t[hi >>> 24]!;
        i += 8;
      }
      while (i < data.length) {
        crc = t[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
        i++;
      }
      register.lo = crc >>> 0;
    },
  };
})();

let kernel: CrcKernel | undefined;

/** The kernel CRC-32C uses in this process (wasm when available). */
export function crc32cKernel(): CrcKernel {
  kernel ??= createWasmCrcKernel(32, buildCrcTables(POLY, 0, 16)) ?? jsCrc32cKernel;
  return kernel;
}

/**
 * CRC-32C of `data` continuing from a previous *final* CRC value (0 to start), mirroring
 * `zlib.crc32(data, value)` so both CRC-32 flavours stream the same way.
 */
export function crc32c(data: Uint8Array, previous = 0): number {
  const register = { lo: ~previous >>> 0, hi: 0 };
  crc32cKernel().update(register, data);
  return ~register.lo >>> 0;
}
