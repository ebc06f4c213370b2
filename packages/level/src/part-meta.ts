import { CorruptEntryError } from './manifest.js';

/**
 * The part meta key is written twice: `writing` before the first chunk (so a crash mid-part
 * leaves a findable orphan for `discard`), and `complete` last, in the same synced batch as
 * the final chunk. Only a `complete` part is visible to `assemble`.
 */
export type PartMeta =
  | { readonly state: 'writing' }
  | { readonly state: 'complete'; readonly size: number; readonly chunkSize: number; readonly chunks: number };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodePartMeta(meta: PartMeta): Uint8Array {
  return encoder.encode(JSON.stringify(meta));
}

export function decodePartMeta(bytes: Uint8Array): PartMeta {
  try {
    const meta = JSON.parse(decoder.decode(bytes)) as PartMeta;
    if (meta.state !== 'writing' && meta.state !== 'complete') throw new TypeError('unknown part state');
    return meta;
  } catch (error) {
    throw new CorruptEntryError('part meta', { cause: error });
  }
}
