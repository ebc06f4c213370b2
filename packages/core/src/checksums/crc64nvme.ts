/**
 * CRC-64/NVME, reflected poly 0x9A6C9329AC4BC9B5, init = xorout = all ones — the checksum S3
 * attaches to every object by default, so ingest computes it on every byte.
 *
 * `@aws-sdk/crc64-nvme` is pure JS slicing-by-8 (520 MB/s measured) with only an async
 * `digest()`. This uses the wasm slicing-by-16 kernel (2.4 GB/s) with a plain-JS slicing-by-8
 * fallback (0.96 GB/s) that keeps the register in two uint32 halves, since BigInt per byte
 * would crawl. Numbers from benchmarks/checksums/crc-throughput.ts.
 */
import { buildCrcTables, type CrcKernel, type CrcRegister } from './crc-tables.js';
import { createWasmCrcKernel } from './wasm-crc-kernel.js';

const POLY_HI = 0x9a6c9329;
const POLY_LO = 0xac4bc9b5;

/** Plain-JS slicing-by-8: the fallback without WebAssembly and the tests' second opinion. */
export const jsCrc64NvmeKernel: CrcKernel = (() => {
  const { lo: tl, hi: th } = buildCrcTables(POLY_LO, POLY_HI, 8);
  return {
    update(register: CrcRegister, data: Uint8Array): void {
      let lo = register.lo;
      let hi = register.hi;
      let i = 0;
      const end8 = data.length - (data.length & 7);
      while (i < end8) {
        const a = lo ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
        const b = hi ^ (data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24));
        const i0 = 1792 + (a & 0xff);
        const i1 = 1536 + ((a >>> 8) & 0xff);
        const i2 = 1280 + ((a >>> 16) & 0xff);
        const i3 = 1024 + (a >>> 24);
        const i4 = 768 + (b & 0xff);
        const i5 = 512 + ((b >>> 8) & 0xff);
        const i6 = 256 + ((b >>> 16) & 0xff);
        const i7 = b >>> 24;
        lo = tl[i0]! ^ tl[i1]! ^ tl[i2]! ^ tl[i3]! ^ tl[i4]! ^ tl[i5]! ^ tl[i6]! ^ tl[i7]!;
        hi = th[i0]! ^ th[i1]! ^ th[i2]! ^ th[i3]! ^ th[i4]! ^ th[i5]! ^ th[i6]! ^ th[i7]!;
        i += 8;
      }
      while (i < data.length) {
        const idx = (lo ^ data[i]!) & 0xff;
        lo = ((lo >>> 8) | (hi << 24)) ^ tl[idx]!;
        hi = (hi >>> 8) ^ th[idx]!;
        i++;
      }
      register.lo = lo >>> 0;
      register.hi = hi >>> 0;
    },
  };
})();

let kernel: CrcKernel | undefined;

/** The kernel CRC-64/NVME uses in this process (wasm when available). */
export function crc64NvmeKernel(): CrcKernel {
  kernel ??= createWasmCrcKernel(64, buildCrcTables(POLY_LO, POLY_HI, 16)) ?? jsCrc64NvmeKernel;
  return kernel;
}

/** Streaming CRC-64/NVME; `digest()` gives the 8 big-endian bytes S3 base64-encodes. */
export class Crc64Nvme {
  private readonly register: CrcRegister = { lo: 0xffffffff, hi: 0xffffffff };
  private readonly kernel = crc64NvmeKernel();

  update(data: Uint8Array): void {
    this.kernel.update(this.register, data);
  }

  digest(): Buffer {
    const out = Buffer.allocUnsafe(8);
    out.writeUInt32BE(~this.register.hi >>> 0, 0);
    out.writeUInt32BE(~this.register.lo >>> 0, 4);
    return out;
  }
}
