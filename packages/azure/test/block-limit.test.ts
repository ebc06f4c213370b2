import type { ContainerClient } from '@azure/storage-blob';
import { describe, expect, it } from 'vitest';
import { blockId, partDigest } from '../src/block-ids.js';
import { DataBlobs, MAX_BLOCKS_PER_BLOB, TooManyBlocksError } from '../src/data-blobs.js';

/**
 * The 50,000-block limit, checked without staging 50,001 blocks: a fake container serves a
 * block list that big, and nothing may be committed.
 */
describe('the 50,000 committed blocks limit', () => {
  it('assemble refuses a part list needing more blocks than a blob holds, before committing', async () => {
    const digest = partDigest('u', 'p');
    const blocks = Array.from({ length: MAX_BLOCKS_PER_BLOB + 1 }, (_, index) => ({
      name: blockId(digest, index, index === MAX_BLOCKS_PER_BLOB),
      size: 1,
    }));
    let commits = 0;
    const blob = {
      getBlockList: async () => ({ committedBlocks: [], uncommittedBlocks: blocks }),
      commitBlockList: async () => {
        commits++;
        return {};
      },
    };
    const container = { getBlockBlobClient: () => blob } as unknown as ContainerClient;
    const data = new DataBlobs(container, '', { blockSize: 1, stageConcurrency: 1, transactionalMd5: false });
    const failure = await data.assemble('u', [{ partId: 'p', size: MAX_BLOCKS_PER_BLOB + 1 }]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TooManyBlocksError);
    expect(failure).toMatchObject({ blocks: MAX_BLOCKS_PER_BLOB + 1 });
    expect(commits).toBe(0);
  });

  it('writePart stops at the 50,001st block instead of staging it', async () => {
    let staged = 0;
    const blob = {
      stageBlock: async () => {
        staged++;
        return {};
      },
    };
    const container = { getBlockBlobClient: () => blob } as unknown as ContainerClient;
    const data = new DataBlobs(container, '', { blockSize: 1, stageConcurrency: 1, transactionalMd5: false });
    async function* bytes(): AsyncIterable<Uint8Array> {
      for (let i = 0; i < 6; i++) yield Buffer.alloc(10_000);
    }
    await expect(data.writePart('u', 'p', bytes(), {})).rejects.toBeInstanceOf(TooManyBlocksError);
    expect(staged).toBe(MAX_BLOCKS_PER_BLOB);
    expect(data.maxPartSize).toBe(MAX_BLOCKS_PER_BLOB);
  });
});
