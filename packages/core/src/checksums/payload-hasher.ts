import { createHash, type Hash } from 'node:crypto';
import type { ChecksumAlgorithm } from '../engine/types.js';
import { createChecksum, type IncrementalChecksum } from './incremental-checksum.js';

export interface PayloadHasherOptions {
  /** Checksums to compute besides MD5 (duplicates are ignored). */
  readonly algorithms?: readonly ChecksumAlgorithm[];
  /** Also compute SHA-256 (signed payloads: x-amz-content-sha256). */
  readonly sha256?: boolean;
}

export interface PayloadDigest {
  readonly size: number;
  readonly md5: Buffer;
  readonly sha256?: Buffer;
  readonly checksums: Partial<Record<ChecksumAlgorithm, Buffer>>;
}

/**
 * Everything S3 derives from a body, computed in the single pass that streams it to the store:
 * MD5 always (the ETag is ours, never the backend's), the requested checksums, and SHA-256 for
 * signed payloads. A SHA256 checksum and the payload SHA-256 share one hash.
 */
export class PayloadHasher {
  private readonly md5: Hash = createHash('md5');
  private readonly sha256: IncrementalChecksum | undefined;
  private readonly checksums: [ChecksumAlgorithm, IncrementalChecksum][] = [];
  private readonly updaters: IncrementalChecksum[];
  private size = 0;
  private digested = false;

  constructor(options: PayloadHasherOptions = {}) {
    const algorithms = new Set(options.algorithms ?? []);
    for (const algorithm of algorithms) this.checksums.push([algorithm, createChecksum(algorithm)]);
    if (options.sha256) {
      this.sha256 = this.checksums.find(([a]) => a === 'SHA256')?.[1] ?? createChecksum('SHA256');
    }
    this.updaters = [this.md5, ...this.checksums.map(([, c]) => c)];
    if (this.sha256 && !algorithms.has('SHA256')) this.updaters.push(this.sha256);
  }

  update(chunk: Uint8Array): void {
    if (this.digested) throw new Error('PayloadHasher.update after digest');
    for (const updater of this.updaters) updater.update(chunk);
    this.size += chunk.length;
  }

  digest(): PayloadDigest {
    if (this.digested) throw new Error('PayloadHasher.digest called twice');
    this.digested = true;
    const checksums: Partial<Record<ChecksumAlgorithm, Buffer>> = {};
    for (const [algorithm, checksum] of this.checksums) checksums[algorithm] = checksum.digest();
    const sha256 = this.sha256 ? (checksums.SHA256 ?? this.sha256.digest()) : undefined;
    return { size: this.size, md5: this.md5.digest(), ...(sha256 ? { sha256 } : {}), checksums };
  }
}
