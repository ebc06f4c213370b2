import { describe, expect, it } from 'vitest';
import { MultipartEngine, S3Error, defineLimits } from '@mpu/core';
import { LevelStore } from '../src/index.js';
import { ChildLines, spawnFixture } from './helpers/child.js';
import { tempDir } from './helpers/temp-dir.js';
import {
  BUCKET, PARTS_PER_UPLOAD, type WorkloadEvent, objectKey, partBody, partByte, partSize,
} from './fixtures/workload.js';

/**
 * Kill points, as `<store method>:<n-th call>:<before|mid|after>` (see KillSwitchStore).
 * The workload's store calls for upload 0 are: writeRecord 1 (bucket), 2 (upload); per part a
 * writePart then writeRecord 3, 4, 5 (part records); Complete: writeRecord 6 (`completing`),
 * assemble 1, writeRecord 7 (handle), 8 (object record: publish), 9 (`completed`),
 * deleteRecord 1–3 (part records), discard 1. Upload 1 repeats from writeRecord 10.
 * So writePart points are inside UploadPart (before any byte, between chunk puts, durable but
 * unrecorded); the others are inside Complete, before and after each step.
 */
const KILL_POINTS = [
  'writePart:1:before',
  'writePart:1:mid',
  'writePart:2:after',
  'writeRecord:4:mid',
  'writePart:5:mid',
  'writePart:6:after',
  'writeRecord:12:after',
  'writeRecord:6:mid',
  'writeRecord:6:after',
  'assemble:1:before',
  'assemble:1:mid',
  'assemble:1:after',
  'writeRecord:7:mid',
  'writeRecord:8:before',
  'writeRecord:8:mid',
  'writeRecord:8:after',
  'writeRecord:9:mid',
  'deleteRecord:2:mid',
  'discard:1:before',
  'discard:1:mid',
  'assemble:2:mid',
  'writeRecord:16:after',
  'discard:2:after',
];

async function runChild(location: string, killAt: string): Promise<WorkloadEvent[]> {
  const child = spawnFixture('crash-child.ts', [location], { MPU_KILL_AT: killAt });
  const out = new ChildLines(child);
  const exit = await out.exited;
  // The switch must have fired: a clean exit would mean this point was never reached.
  expect(exit.signal, `child exit (stderr: ${exit.stderr})`).toBe('SIGKILL');
  return out.lines.filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as WorkloadEvent);
}

/** Reads the object and checks every byte against the workload's generator, streaming. */
async function expectObjectBytes(engine: MultipartEngine, upload: number): Promise<void> {
  const { object, body } = await engine.getObject({ bucket: BUCKET, key: objectKey(upload) });
  let part = 1;
  let inPart = 0;
  let total = 0;
  let mismatches = 0;
  for await (const chunk of body) {
    for (const byte of chunk) {
      while (part <= PARTS_PER_UPLOAD && inPart >= partSize(upload, part)) {
        part++;
        inPart = 0;
      }
      if (part > PARTS_PER_UPLOAD || byte !== partByte(upload, part, inPart)) mismatches++;
      inPart++;
      total++;
    }
  }
  const expectedSize = Array.from({ length: PARTS_PER_UPLOAD }, (_, i) => partSize(upload, i + 1)).reduce((a, b) => a + b, 0);
  expect({ upload, total, mismatches, size: object.size }).toEqual({ upload, total: expectedSize, mismatches: 0, size: expectedSize });
}

async function objectExists(engine: MultipartEngine, upload: number): Promise<boolean> {
  try {
    await engine.headObject({ bucket: BUCKET, key: objectKey(upload) });
    return true;
  } catch (error) {
    if (error instanceof S3Error && error.code === 'NoSuchKey') return false;
    throw error;
  }
}

describe('LevelStore crash safety under MultipartEngine (SIGKILL inside UploadPart and Complete)', () => {
  for (const killAt of KILL_POINTS) {
    it(`killed at ${killAt}: every upload is complete with exact bytes or still completable; acked parts intact`, async () => {
      const dir = await tempDir('mpu-level-crash-');
      try {
        const events = await runChild(dir.path, killAt);
        const store = await LevelStore.open({ location: dir.path });
        const engine = new MultipartEngine({ store, limits: defineLimits({ minPartSize: 1 }) });
        try {
          for (const created of events.filter((e) => e.event === 'created')) {
            const { upload, uploadId } = created;
            const key = objectKey(upload);
            const acks = events.filter((e): e is Extract<WorkloadEvent, { event: 'ack' }> => e.event === 'ack' && e.upload === upload);
            const completed = events.find((e) => e.event === 'completed' && e.upload === upload);
            if (await objectExists(engine, upload)) {
              // Published (perhaps just before the kill): it must be whole and exact.
              await expectObjectBytes(engine, upload);
              continue;
            }
            expect(completed, `upload ${upload} reported completed but has no object`).toBeUndefined();
            // Not published: the upload must still be there with every acknowledged part intact.
            const listed = await engine.listParts({ bucket: BUCKET, key, uploadId });
            for (const ack of acks) {
              expect(listed.parts.find((p) => p.partNumber === ack.part), `acked part ${ack.part} of upload ${upload}`).toMatchObject({
                etag: ack.etag,
                size: ack.size,
              });
            }
            // Finish the job: re-send parts that were never acknowledged, then Complete.
            const parts = [];
            for (let part = 1; part <= PARTS_PER_UPLOAD; part++) {
              const ack = acks.find((a) => a.part === part);
              const etag = ack?.etag ?? (await engine.uploadPart({ bucket: BUCKET, key, uploadId, partNumber: part, body: partBody(upload, part) })).etag;
              parts.push({ partNumber: part, etag });
            }
            await engine.completeMultipartUpload({ bucket: BUCKET, key, uploadId, parts });
            await expectObjectBytes(engine, upload);
          }
        } finally {
          await engine.close();
        }
      } finally {
        await dir.remove();
      }
    });
  }
});
