import { expect } from 'vitest';
import { type EngineSuiteContext, expectS3Error } from './engine-suite-context.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** initiation + days, rounded up to the next 00:00 UTC (S3-MULTIPART.md §9). */
function abortDateOf(initiated: Date, days: number): number {
  return Math.ceil((initiated.getTime() + days * DAY_MS) / DAY_MS) * DAY_MS;
}

export function lifecycleTests({ test, withEngine }: EngineSuiteContext): void {
  test('engine/lifecycle-abort-incomplete', 'AbortIncompleteMultipartUpload rules set abort dates and applyLifecycle aborts only due uploads', () =>
    withEngine('small', async ({ engine, bucket }) => {
      await expectS3Error(engine.getBucketLifecycle(bucket), 'NoSuchLifecycleConfiguration');
      const rules = [
        { id: 'abort-mpu-7d', status: 'Enabled' as const, prefix: 'uploads/', abortIncompleteDaysAfterInitiation: 7 },
        { id: 'disabled-1d', status: 'Disabled' as const, prefix: 'other/', abortIncompleteDaysAfterInitiation: 1 },
      ];
      await engine.putBucketLifecycle(bucket, rules);
      expect(await engine.getBucketLifecycle(bucket)).toMatchObject(rules);
      const due = await engine.createMultipartUpload({ bucket, key: 'uploads/x' });
      const untouched = await engine.createMultipartUpload({ bucket, key: 'other/y' });
      const abortAt = abortDateOf(due.initiated, 7);
      expect(due.abortDate?.getTime()).toBe(abortAt);
      expect(due.abortRuleId).toBe('abort-mpu-7d');
      expect(untouched.abortDate).toBeUndefined();
      expect(untouched.abortRuleId).toBeUndefined();
      const listed = await engine.listParts({ bucket, key: 'uploads/x', uploadId: due.uploadId });
      expect(listed.upload.abortDate?.getTime()).toBe(abortAt);
      expect(listed.upload.abortRuleId).toBe('abort-mpu-7d');
      expect(await engine.applyLifecycle(new Date(abortAt - 1))).toBe(0);
      expect(await engine.applyLifecycle(new Date(abortAt + 1))).toBe(1);
      await expectS3Error(engine.listParts({ bucket, key: 'uploads/x', uploadId: due.uploadId }), 'NoSuchUpload');
      expect((await engine.listMultipartUploads({ bucket })).uploads.map((u) => u.uploadId)).toEqual([untouched.uploadId]);
      await engine.deleteBucketLifecycle(bucket);
      await expectS3Error(engine.getBucketLifecycle(bucket), 'NoSuchLifecycleConfiguration');
      expect(await engine.applyLifecycle(new Date(abortAt + 365 * DAY_MS))).toBe(0);
    }));
}
