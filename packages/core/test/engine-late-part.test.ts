import { describe, expect, it } from 'vitest';
import { MemoryStore } from '@mpu/core';
import { TINY_LIMITS, body, expectS3Error, makeEngine } from './engine-helpers.js';

/** Records every `discard` call's arguments. */
class DiscardLog extends MemoryStore {
  readonly calls: { upload: string; partIds: readonly string[] | undefined }[] = [];
  override async discard(upload: string, partIds?: readonly string[]): Promise<void> {
    this.calls.push({ upload, partIds });
    return super.discard(upload, partIds);
  }
}

/** A body that waits for `gate` before its last chunk, so an Abort can land mid-upload. */
async function* gatedBody(gate: Promise<void>): AsyncIterable<Uint8Array> {
  yield Buffer.from('abcd');
  await gate;
  yield Buffer.from('efgh');
}

describe('a part that lands after its upload finished', () => {
  it('after Abort: answers NoSuchUpload and discards the whole upload (no stray blocks left)', async () => {
    const store = new DiscardLog();
    const { engine } = makeEngine({ store, limits: TINY_LIMITS });
    await engine.createBucket('bucket');
    const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'k' });
    let open!: () => void;
    const gate = new Promise<void>((resolve) => { open = resolve; });
    const late = engine.uploadPart({ ...upload, partNumber: 1, body: gatedBody(gate) });
    await new Promise((resolve) => setTimeout(resolve, 10));
    await engine.abortMultipartUpload(upload);
    store.calls.length = 0;
    open();
    await expectS3Error(late, 'NoSuchUpload');
    expect(store.calls).toContainEqual({ upload: upload.uploadId, partIds: undefined });
  });

  it('after Complete: answers NoSuchUpload and the completed object stays whole', async () => {
    const store = new DiscardLog();
    const { engine } = makeEngine({ store, limits: TINY_LIMITS });
    await engine.createBucket('bucket');
    const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'k' });
    const first = await engine.uploadPart({ ...upload, partNumber: 1, body: body('abcd') });
    let open!: () => void;
    const gate = new Promise<void>((resolve) => { open = resolve; });
    const late = engine.uploadPart({ ...upload, partNumber: 2, body: gatedBody(gate) });
    await new Promise((resolve) => setTimeout(resolve, 10));
    await engine.completeMultipartUpload({ ...upload, parts: [{ partNumber: 1, etag: first.etag }] });
    open();
    await expectS3Error(late, 'NoSuchUpload');
    const object = await engine.getObject({ bucket: 'bucket', key: 'k' });
    const chunks: Buffer[] = [];
    for await (const chunk of object.body) chunks.push(Buffer.from(chunk));
    expect(Buffer.concat(chunks).toString()).toBe('abcd');
  });
});
