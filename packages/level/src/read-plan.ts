import type { Manifest, ManifestPart } from './manifest.js';
import { partIndexAt } from './manifest.js';

/** The chunks one part contributes to a read of `[start, end]` of the object. */
export interface PartSpan {
  readonly part: ManifestPart;
  /** First and last chunk index needed (inclusive). */
  readonly first: number;
  readonly last: number;
  /** The part's own byte range needed (inclusive). */
  readonly localStart: number;
  readonly localEnd: number;
}

/**
 * The non-empty parts overlapping `[start, end]`, in order, each with the chunk indexes it
 * needs: a binary search finds the first part, and chunk indexes are computed, not scanned.
 */
export function* partSpans(manifest: Manifest, start: number, end: number): Generator<PartSpan> {
  for (let i = partIndexAt(manifest, start); i < manifest.parts.length; i++) {
    const part = manifest.parts[i]!;
    if (part.offset > end) return;
    if (part.size === 0) continue;
    const localStart = Math.max(start - part.offset, 0);
    const localEnd = Math.min(end - part.offset, part.size - 1);
    yield {
      part,
      first: Math.floor(localStart / part.chunkSize),
      last: Math.floor(localEnd / part.chunkSize),
      localStart,
      localEnd,
    };
  }
}

/** Stored length of chunk `index` of `part` (all are `chunkSize` but the last). */
export function chunkLength(part: ManifestPart, index: number): number {
  return Math.min(part.chunkSize, part.size - index * part.chunkSize);
}

/** The bytes of stored chunk `index` that `span` needs, as a view (no copy). */
export function sliceChunk(span: PartSpan, index: number, value: Uint8Array): Uint8Array {
  const chunkStart = index * span.part.chunkSize;
  const from = Math.max(span.localStart - chunkStart, 0);
  const to = Math.min(span.localEnd - chunkStart, value.byteLength - 1) + 1;
  return new Uint8Array(value.buffer, value.byteOffset + from, to - from);
}
