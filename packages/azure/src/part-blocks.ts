import type { BlockList } from '@azure/storage-blob';
import { MissingPartError, type PartRef } from '@mpu/core';
import { parseBlockId, partDigest } from './block-ids.js';

interface KnownBlock {
  readonly id: string;
  readonly size: number;
  readonly last: boolean;
}

/**
 * Picks, from a data blob's block list, the block IDs that make up `parts` in order. A part
 * is its blocks 0..k with only block k flagged last and sizes summing to the part's size;
 * anything else (never staged, writer died half-way, wrong size, discarded) is a
 * `MissingPartError`.
 * Blocks may come from the committed list too: a repeated assemble finds them there.
 */
export function blockIdsForParts(upload: string, parts: readonly PartRef[], list: BlockList): string[] {
  const byPart = new Map<string, Map<number, KnownBlock>>();
  const discarded = new Set<string>();
  // Committed first, uncommitted second: like Put Block List's `Latest`, a re-staged
  // uncommitted block wins over a committed one of the same ID.
  for (const block of [...(list.committedBlocks ?? []), ...(list.uncommittedBlocks ?? [])]) {
    const parsed = parseBlockId(block.name);
    if (!parsed) continue;
    if (parsed.discarded) {
      discarded.add(parsed.partDigest);
      continue;
    }
    let blocks = byPart.get(parsed.partDigest);
    if (!blocks) byPart.set(parsed.partDigest, (blocks = new Map()));
    blocks.set(parsed.index, { id: block.name, size: block.size, last: parsed.last });
  }

  const ids: string[] = [];
  for (const { partId, size } of parts) {
    const digest = partDigest(upload, partId);
    if (discarded.has(digest)) throw new MissingPartError(upload, partId, size, undefined);
    const blocks = byPart.get(digest);
    let found = 0;
    const partIds: string[] = [];
    for (let index = 0; blocks; index++) {
      const block = blocks.get(index);
      if (!block) {
        found = -1; // a gap before the last block: the writer did not finish
        break;
      }
      partIds.push(block.id);
      found += block.size;
      if (block.last) break;
    }
    // A zero-byte part stages no block (Azure's support for empty blocks is not documented).
    if (found === -1 || found !== size || (size > 0 && partIds.length === 0)) {
      throw new MissingPartError(upload, partId, size, found === -1 || (!blocks && size > 0) ? undefined : found);
    }
    ids.push(...partIds);
  }
  return ids;
}
