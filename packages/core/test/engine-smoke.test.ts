import { describe, expect, it } from 'vitest';
import { body, collect, makeEngine, TINY_LIMITS } from './engine-helpers.js';

describe('MultipartEngine smoke', () => {
  it('uploads, completes and reads back', async () => {
    const { engine } = makeEngine({ limits: TINY_LIMITS });
    await engine.createBucket('bucket');
    const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'k' });
    const p1 = await engine.uploadPart({ ...upload, partNumber: 1, body: body('hello ') });
    const p2 = await engine.uploadPart({ ...upload, partNumber: 2, body: body('world') });
    const done = await engine.completeMultipartUpload({ ...upload, parts: [p1, p2] });
    expect(done.size).toBe(11);
    const got = await engine.getObject({ bucket: 'bucket', key: 'k' });
    expect((await collect(got.body)).toString()).toBe('hello world');
    expect(got.object.etag).toBe(done.etag);
  });
});
