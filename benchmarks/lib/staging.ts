import type { Engine, PartInfo } from '@mpu/core';
import { bodyOf } from './bytes.js';
import { mapLimit } from './concurrency.js';

export const BUCKET = 'bench';

/** Part sizes of an object cut into `partBytes` parts (the last one holds the remainder). */
export function partSizes(objectBytes: number, partBytes: number): number[] {
  const sizes: number[] = [];
  for (let left = objectBytes; left > 0; left -= partBytes) sizes.push(Math.min(partBytes, left));
  return sizes;
}

export interface StagedUpload {
  readonly key: string;
  readonly uploadId: string;
  readonly parts: readonly PartInfo[];
}

/** Creates an upload and uploads generated parts, `inFlight` at a time. */
export async function stageUpload(engine: Engine, key: string, sizes: readonly number[], inFlight: number): Promise<StagedUpload> {
  const { uploadId } = await engine.createMultipartUpload({ bucket: BUCKET, key });
  const numbered = sizes.map((size, i) => ({ size, partNumber: i + 1 }));
  const parts = await mapLimit(numbered, inFlight, ({ size, partNumber }) =>
    engine.uploadPart({ bucket: BUCKET, key, uploadId, partNumber, body: bodyOf(size) }));
  return { key, uploadId, parts };
}

export function completeStaged(engine: Engine, staged: StagedUpload): ReturnType<Engine['completeMultipartUpload']> {
  return engine.completeMultipartUpload({
    bucket: BUCKET,
    key: staged.key,
    uploadId: staged.uploadId,
    parts: staged.parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag })),
  });
}
