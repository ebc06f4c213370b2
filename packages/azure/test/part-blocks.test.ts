import { MissingPartError } from '@mpu/core';
import { describe, expect, it } from 'vitest';
import { blockId, discardMarkerId, parseBlockId, partDigest } from '../src/block-ids.js';
import { blockIdsForParts } from '../src/part-blocks.js';

const digest = (partId: string) => partDigest('upload', partId);
const block = (partId: string, index: number, last: boolean, size: number) => ({ name: blockId(digest(partId), index, last), size });

describe('block IDs', () => {
  it('are fixed-length base64 and parse back', () => {
    const ids = [blockId(digest('a'), 0, false), blockId(digest('b'), 49_999, true), discardMarkerId(digest('c'))];
    expect(new Set(ids.map((id) => id.length))).toEqual(new Set([28]));
    expect(parseBlockId(ids[1]!)).toEqual({ partDigest: digest('b'), index: 49_999, last: true, discarded: false });
    expect(parseBlockId(ids[2]!)?.discarded).toBe(true);
    expect(parseBlockId('bm90IG91cnM=')).toBeUndefined();
  });

  it('are scoped to the upload and the part attempt', () => {
    expect(partDigest('u1', 'p')).not.toBe(partDigest('u2', 'p'));
    expect(partDigest('u', 'p#1')).not.toBe(partDigest('u', 'p#2'));
    expect(partDigest('a\0b', 'c')).not.toBe(partDigest('a', 'b\0c'));
  });
});

describe('blockIdsForParts', () => {
  it('orders each part by block index and the parts as listed, from both lists', () => {
    const list = {
      committedBlocks: [block('x', 0, true, 4)],
      uncommittedBlocks: [block('a', 1, true, 2), block('a', 0, false, 5), block('b', 0, true, 3), block('other', 0, true, 9)],
    };
    expect(blockIdsForParts('upload', [{ partId: 'b', size: 3 }, { partId: 'a', size: 7 }, { partId: 'x', size: 4 }], list)).toEqual([
      block('b', 0, true, 3).name, block('a', 0, false, 5).name, block('a', 1, true, 2).name, block('x', 0, true, 4).name,
    ]);
  });

  it('rejects a part with a gap, without its last block, of another size, or discarded', () => {
    const list = {
      uncommittedBlocks: [
        block('gap', 0, false, 5), block('gap', 2, true, 5),
        block('unfinished', 0, false, 5), block('unfinished', 1, false, 5),
        block('sized', 0, true, 5),
        block('gone', 0, true, 5), { name: discardMarkerId(digest('gone')), size: 1 },
      ],
    };
    for (const part of [{ partId: 'gap', size: 10 }, { partId: 'unfinished', size: 10 }, { partId: 'sized', size: 6 }, { partId: 'gone', size: 5 }, { partId: 'never', size: 1 }]) {
      expect(() => blockIdsForParts('upload', [part], list), part.partId).toThrow(MissingPartError);
    }
    expect(blockIdsForParts('upload', [{ partId: 'sized', size: 5 }, { partId: 'empty', size: 0 }], list)).toHaveLength(1);
  });
});
