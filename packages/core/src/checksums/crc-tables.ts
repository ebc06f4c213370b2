/**
 * Slicing-by-N lookup tables for a reflected CRC of up to 64 bits, as two uint32 halves so that
 * building and using them never needs BigInt. `lo[k * 256 + b]` / `hi[k * 256 + b]` hold the
 * register contribution of byte b followed by k zero bytes (table 0 is the classic byte table).
 */
export interface CrcTables {
  readonly slices: number;
  readonly lo: Uint32Array;
  readonly hi: Uint32Array;
}

/** `polyHi` is 0 for 32-bit CRCs, which makes every `hi` entry 0. */
export function buildCrcTables(polyLo: number, polyHi: number, slices: number): CrcTables {
  const lo = new Uint32Array(slices * 256);
  const hi = new Uint32Array(slices * 256);
  for (let b = 0; b < 256; b++) {
    let l = b;
    let h = 0;
    for (let bit = 0; bit < 8; bit++) {
      const carry = l & 1;
      l = (l >>> 1) | (h << 31);
      h = h >>> 1;
      if (carry) {
        l ^= polyLo;
        h ^= polyHi;
      }
    }
    lo[b] = l;
    hi[b] = h;
  }
  for (let k = 1; k < slices; k++) {
    for (let b = 0; b < 256; b++) {
      const pl = lo[(k - 1) * 256 + b]!;
      const ph = hi[(k - 1) * 256 + b]!;
      const idx = pl & 0xff;
      lo[k * 256 + b] = ((pl >>> 8) | (ph << 24)) ^ lo[idx]!;
      hi[k * 256 + b] = (ph >>> 8) ^ hi[idx]!;
    }
  }
  return { slices, lo, hi };
}

/** The raw CRC register (pre-inverted), as uint32 halves; `hi` stays 0 for 32-bit CRCs. */
export interface CrcRegister {
  lo: number;
  hi: number;
}

/** Advances a register over bytes. Implementations: plain JS and WebAssembly. */
export interface CrcKernel {
  update(register: CrcRegister, data: Uint8Array): void;
}
