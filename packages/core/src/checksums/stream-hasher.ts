import { PayloadHasher, type PayloadDigest, type PayloadHasherOptions } from './payload-hasher.js';

/**
 * A `PayloadHasher` seen from the request that streams a body: inline (this thread) or pooled
 * (a worker thread, `HashPool`). `update` returns a promise only when the caller must wait
 * (a pooled stream with too many bytes still unhashed), so inline hashing costs no await.
 */
export interface StreamHasher {
  update(chunk: Uint8Array): Promise<void> | undefined;
  digest(): Promise<PayloadDigest>;
  /** Drops the stream's state (a failed request); safe after `digest` and twice. */
  abort(): void;
}

/** Hashing on the calling thread: small bodies, unknown lengths, or `threads: 0`. */
export function inlineStreamHasher(options: PayloadHasherOptions): StreamHasher {
  const hasher = new PayloadHasher(options);
  return {
    update(chunk) {
      hasher.update(chunk);
      return undefined;
    },
    digest: () => Promise.resolve(hasher.digest()),
    abort() {},
  };
}
