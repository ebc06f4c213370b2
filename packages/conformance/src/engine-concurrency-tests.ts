import { expect } from 'vitest';
import {
  type EngineSuiteContext, SMALL_MIN_PART_SIZE, bodyOf, bytes, multipartEtagOf, readBody,
} from './engine-suite-context.js';
import { S3Error } from '@mpu/core';

export function concurrencyTests({ test, withEngine }: EngineSuiteContext): void {
  test('engine/concurrent-complete', 'concurrent Completes of one upload: one commits, the others replay its result', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const parts = [bytes(SMALL_MIN_PART_SIZE, 1), bytes(9, 2)];
      const { uploadId } = await engine.createMultipartUpload({ bucket, key: 'k' });
      const infos = await Promise.all(parts.map((part, i) => engine.uploadPart({ bucket, key: 'k', uploadId, partNumber: i + 1, body: bodyOf(part) })));
      const input = { bucket, key: 'k', uploadId, parts: infos.map((p) => ({ partNumber: p.partNumber, etag: p.etag })) };
      const results = await Promise.all(Array.from({ length: 5 }, () => engine.completeMultipartUpload(input)));
      for (const result of results) expect(result).toEqual(results[0]);
      expect(results[0]!.etag).toBe(multipartEtagOf(parts));
      expect((await readBody((await engine.getObject({ bucket, key: 'k' })).body)).equals(Buffer.concat(parts))).toBe(true);
    }));

  test('engine/conditional-complete-race', 'two uploads racing to create a key with If-None-Match: * — exactly one commits', () =>
    withEngine('small', async ({ engine, bucket }) => {
      const contenders = await Promise.all(
        [1, 2, 3, 4].map(async (seed) => {
          const part = bytes(100, seed);
          const { uploadId } = await engine.createMultipartUpload({ bucket, key: 'k' });
          const { etag } = await engine.uploadPart({ bucket, key: 'k', uploadId, partNumber: 1, body: bodyOf(part) });
          return { part, input: { bucket, key: 'k', uploadId, parts: [{ partNumber: 1, etag }], conditions: { ifNoneMatch: '*' } } };
        }),
      );
      const outcomes = await Promise.allSettled(contenders.map((c) => engine.completeMultipartUpload(c.input)));
      const winners = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [i] : []));
      expect(winners).toHaveLength(1);
      for (const o of outcomes) {
        if (o.status === 'rejected') {
          expect(o.reason).toBeInstanceOf(S3Error);
          expect(['PreconditionFailed', 'ConditionalRequestConflict']).toContain((o.reason as S3Error).code);
        }
      }
      const body = await readBody((await engine.getObject({ bucket, key: 'k' })).body);
      expect(body.equals(contenders[winners[0]!]!.part)).toBe(true);
    }));
}
