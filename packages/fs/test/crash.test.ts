import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MultipartEngine, S3Error, defineLimits } from '@mpu/core';
import { FsStore } from '@mpu/fs';
import { spawnFixture } from './child-process.js';
import { CRASH_BUCKET, CRASH_KEY, CRASH_PARTS, partBody, partBytes } from './fixtures/crash-parts.js';
import { TempDirs } from './temp-dirs.js';

const temps = new TempDirs();
afterAll(() => temps.removeAll());

type ChildEvent =
  | { event: 'created'; uploadId: string }
  | { event: 'part'; partNumber: number; etag: string }
  | { event: 'completed'; etag: string };

const md5Hex = (bytes: Uint8Array): string => createHash('md5').update(bytes).digest('hex');
const partEtag = (partNumber: number): string => `"${md5Hex(partBytes(partNumber))}"`;
const allBytes = (): Buffer => Buffer.concat(Array.from({ length: CRASH_PARTS }, (_, i) => partBytes(i + 1)));
const objectEtag = (): string =>
  `"${md5Hex(Buffer.concat(Array.from({ length: CRASH_PARTS }, (_, i) => Buffer.from(md5Hex(partBytes(i + 1)), 'hex'))))}-${CRASH_PARTS}"`;

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function s3Code(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof S3Error) return error.code;
    throw error;
  }
}

/**
 * Where each fault strikes, and what the disk must show on reopen — proof the kill landed
 * where the name says: acknowledged parts, whether the object is visible, part files staged.
 */
const scenarios = [
  { name: 'UploadPart, mid-body', fault: 'writePart:*:3:mid-body', acked: 2, visible: false, partFiles: 2, tempFiles: true },
  { name: 'UploadPart, after the data, before the part record', fault: 'writePart:*:3:after', acked: 2, visible: false, partFiles: 3, tempFiles: false },
  { name: 'UploadPart, after the part record, before the reply', fault: 'writeRecord:part/:3:after', acked: 2, visible: false, partFiles: 3, tempFiles: false },
  { name: 'Complete, after assemble, before the handle is recorded', fault: 'assemble:*:1:after', acked: 5, visible: false, partFiles: 5, tempFiles: false },
  { name: 'Complete, handle recorded, before publish', fault: 'writeRecord:object/:1:before', acked: 5, visible: false, partFiles: 5, tempFiles: false },
  { name: 'Complete, after publish, before the upload is marked completed', fault: 'writeRecord:object/:1:after', acked: 5, visible: true, partFiles: 5, tempFiles: false },
  { name: 'Complete, after publish, before cleanup', fault: 'deleteRecord:part/:1:before', acked: 5, visible: true, partFiles: 5, tempFiles: false },
  { name: 'Complete, part records cleaned, before data discard', fault: 'discard:*:1:before', acked: 5, visible: true, partFiles: 5, tempFiles: false },
] as const;

describe('SIGKILL at exact points of UploadPart and Complete (child process, fault hook)', () => {
  for (const { name, fault, ...expected } of scenarios) {
    it(`${name} (${fault}): acknowledged parts intact; the upload is completed or still completable`, async () => {
      const root = await temps.make('crash');
      const child = spawnFixture('crash-child.ts', [root], { MPU_FAULT: fault });
      const exit = await child.exited;
      // If this fails with the child exiting normally, the engine no longer makes the call the
      // fault waits for: the scenario needs a new injection point.
      expect(exit.signal, `fault ${fault} never fired (exit ${exit.code}); stderr: ${exit.stderr}`).toBe('SIGKILL');
      const events = child.lines as ChildEvent[];
      const created = events.find((e): e is Extract<ChildEvent, { event: 'created' }> => e.event === 'created');
      expect(created, 'the child got as far as creating the upload').toBeDefined();
      const acked = events.filter((e): e is Extract<ChildEvent, { event: 'part' }> => e.event === 'part');
      expect(events.some((e) => e.event === 'completed')).toBe(false);
      expect(acked.map((part) => part.partNumber)).toEqual(Array.from({ length: expected.acked }, (_, i) => i + 1));
      for (const part of acked) expect(part.etag).toBe(partEtag(part.partNumber));

      const store = await FsStore.open({ root });
      const engine = new MultipartEngine({ store, limits: defineLimits({ minPartSize: 1 }) });
      try {
        expect(await readdir(join(root, 'tmp'))).toEqual([]);
        expect(store.recovery).toMatchObject({ previousOwnerDied: true, filesystemSynced: true });
        expect(store.recovery!.tempFilesRemoved > 0).toBe(expected.tempFiles);
        const [uploadDir] = await readdir(join(root, 'data'));
        expect(await readdir(join(root, 'data', uploadDir!, 'parts'))).toHaveLength(expected.partFiles);
        const ref = { bucket: CRASH_BUCKET, key: CRASH_KEY, uploadId: created!.uploadId };

        // Never a partial object: either absent or the whole, exact object.
        const visible = await engine.getObject({ bucket: CRASH_BUCKET, key: CRASH_KEY }).catch((e: unknown) => e);
        expect(visible instanceof S3Error ? visible.code : 'visible').toBe(expected.visible ? 'visible' : 'NoSuchKey');
        if (!(visible instanceof S3Error)) {
          expect(acked).toHaveLength(CRASH_PARTS);
          expect((await readAll((visible as Awaited<ReturnType<typeof engine.getObject>>).body)).equals(allBytes())).toBe(true);
        }

        if (acked.length < CRASH_PARTS) {
          // Crashed inside UploadPart: every acknowledged part is listed with its ETag and size.
          const listed = await engine.listParts(ref);
          for (const part of acked) {
            expect(listed.parts.find((p) => p.partNumber === part.partNumber)).toMatchObject({ etag: part.etag, size: partBytes(part.partNumber).length });
          }
          // Finish the upload: send what was not acknowledged again.
          for (let partNumber = acked.length + 1; partNumber <= CRASH_PARTS; partNumber++) {
            await engine.uploadPart({ ...ref, partNumber, body: partBody(partNumber) });
          }
        }
        // Completing (again) must finish the job, and a retry after completion replays the result.
        const parts = Array.from({ length: CRASH_PARTS }, (_, i) => ({ partNumber: i + 1, etag: partEtag(i + 1) }));
        const result = await engine.completeMultipartUpload({ ...ref, parts });
        expect(result).toMatchObject({ etag: objectEtag(), size: allBytes().length });
        const object = await engine.getObject({ bucket: CRASH_BUCKET, key: CRASH_KEY });
        expect((await readAll(object.body)).equals(allBytes())).toBe(true);
        expect(await s3Code(engine.uploadPart({ ...ref, partNumber: 1, body: partBody(1) }))).toBe('NoSuchUpload');

        // Nothing left behind: no part records, and only the object's part files and manifest.
        const leftovers: string[] = [];
        for await (const record of store.listRecords('part/')) leftovers.push(record.key);
        expect(leftovers).toEqual([]);
        const uploads = await readdir(join(root, 'data'));
        expect(uploads).toHaveLength(1);
        expect(await readdir(join(root, 'data', uploads[0]!, 'parts'))).toHaveLength(CRASH_PARTS);
        expect(await readdir(join(root, 'data', uploads[0]!, 'manifests'))).toHaveLength(1);
      } finally {
        await engine.close();
      }
    });
  }
});
