/**
 * crc(A‖B) from crc(A), crc(B) and len(B), so a FULL_OBJECT checksum never re-reads part data
 * (S3-MULTIPART.md §4.3). The classic zlib `crc32_combine` construction: a GF(2) matrix that
 * advances the raw register over one zero bit, squared up to one byte and then to 2^k bytes,
 * applied to crc(A) by binary exponentiation of len(B); finally xor crc(B). It works on final
 * CRC values because init and xorout cancel out (both all ones for the three CRCs).
 *
 * BigInt keeps one code path for 32- and 64-bit CRCs; it runs once per part at Complete.
 */
export type CombinableCrc = 'CRC32' | 'CRC32C' | 'CRC64NVME';

/** Column i = where register bit i goes; a 32- or 64-entry matrix over GF(2). */
type Gf2Matrix = readonly bigint[];

const REFLECTED_POLY: Readonly<Record<CombinableCrc, { width: number; poly: bigint }>> = {
  CRC32: { width: 32, poly: 0xedb88320n },
  CRC32C: { width: 32, poly: 0x82f63b78n },
  CRC64NVME: { width: 64, poly: 0x9a6c9329ac4bc9b5n },
};

function times(matrix: Gf2Matrix, vector: bigint): bigint {
  // Walk the vector's bits as two uint32 numbers: shifting a BigInt per bit allocates, and this
  // loop is most of Complete's CPU for a 10,000-part FULL_OBJECT upload.
  let sum = 0n;
  const halves = [Number(vector & 0xffffffffn), Number(vector >> 32n)];
  for (let h = 0; h < halves.length; h++) {
    for (let bits = halves[h]!, i = h * 32; bits !== 0; bits >>>= 1, i++) {
      if (bits & 1) sum ^= matrix[i]!;
    }
  }
  return sum;
}

function square(matrix: Gf2Matrix): Gf2Matrix {
  return matrix.map((column) => times(matrix, column));
}

/** Operators advancing the register over 2^k zero bytes, built lazily and kept per algorithm. */
class ZeroByteOperators {
  private readonly powers: Gf2Matrix[];

  constructor(width: number, poly: bigint) {
    // One zero bit: bit 0 shifts out and feeds the polynomial back; bit i moves to bit i-1.
    const oneBit: bigint[] = [poly];
    for (let i = 1; i < width; i++) oneBit.push(1n << BigInt(i - 1));
    this.powers = [square(square(square(oneBit)))]; // 8 bits = 1 byte
  }

  /** Advances `register` over `bytes` zero bytes. */
  advance(register: bigint, bytes: number): bigint {
    for (let k = 0; bytes > 0; k++, bytes = Math.floor(bytes / 2)) {
      if (bytes % 2 === 1) register = times(this.power(k), register);
    }
    return register;
  }

  private power(k: number): Gf2Matrix {
    while (this.powers.length <= k) this.powers.push(square(this.powers[this.powers.length - 1]!));
    return this.powers[k]!;
  }
}

const operators = new Map<CombinableCrc, ZeroByteOperators>();

function operatorsFor(algorithm: CombinableCrc): ZeroByteOperators {
  let ops = operators.get(algorithm);
  if (!ops) {
    const { width, poly } = REFLECTED_POLY[algorithm];
    ops = new ZeroByteOperators(width, poly);
    operators.set(algorithm, ops);
  }
  return ops;
}

function toBigInt(raw: Uint8Array, bytes: number, name: string): bigint {
  if (raw.length !== bytes) throw new RangeError(`${name} must be ${bytes} bytes, got ${raw.length}`);
  let value = 0n;
  for (const byte of raw) value = (value << 8n) | BigInt(byte);
  return value;
}

function toBytes(value: bigint, bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  for (let i = bytes - 1; i >= 0; i--, value >>= 8n) out[i] = Number(value & 0xffn);
  return out;
}

/** crc(A‖B) as big-endian bytes, given big-endian crc(A), crc(B) and the byte length of B. */
export function combineCrc(algorithm: CombinableCrc, crcA: Uint8Array, crcB: Uint8Array, lengthB: number): Buffer {
  if (!Number.isSafeInteger(lengthB) || lengthB < 0) throw new RangeError(`lengthB must be a non-negative integer, got ${lengthB}`);
  const bytes = REFLECTED_POLY[algorithm].width / 8;
  const a = toBigInt(crcA, bytes, 'crcA');
  const b = toBigInt(crcB, bytes, 'crcB');
  return toBytes(operatorsFor(algorithm).advance(a, lengthB) ^ b, bytes);
}
