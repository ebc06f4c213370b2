import type { ChecksumAlgorithm } from '../engine/types.js';

/**
 * Messages between a `HashPool` and its workers. One worker holds the hashing state of many
 * streams, keyed by `id`; a worker handles its messages in order, so a stream's chunks are
 * hashed in the order they were sent.
 */
export type HashRequest =
  | { readonly type: 'open'; readonly id: number; readonly algorithms: readonly ChecksumAlgorithm[]; readonly sha256: boolean }
  /** `data` arrives transferred (its ArrayBuffer moved, not copied). */
  | { readonly type: 'update'; readonly id: number; readonly data: Uint8Array }
  | { readonly type: 'digest'; readonly id: number }
  | { readonly type: 'close'; readonly id: number };

export interface WireDigest {
  readonly size: number;
  readonly md5: Uint8Array;
  readonly sha256?: Uint8Array;
  readonly checksums: Partial<Record<ChecksumAlgorithm, Uint8Array>>;
}

export type HashReply =
  /**
   * `bytes` of the stream have been hashed: the sender may send that much more. The batch's
   * buffer comes back (transferred) for reuse, so a long upload allocates no new batches.
   */
  | { readonly type: 'ack'; readonly id: number; readonly bytes: number; readonly buffer: ArrayBuffer }
  | { readonly type: 'digest'; readonly id: number; readonly digest: WireDigest }
  | { readonly type: 'error'; readonly id: number; readonly message: string };
