import type { Engine, UploadInfo } from '@mpu/core';

/** Every in-progress upload in every bucket, following ListMultipartUploads pagination. */
export async function* allUploads(engine: Engine, bucket?: string): AsyncGenerator<UploadInfo> {
  const buckets = bucket === undefined ? (await engine.listBuckets()).buckets.map((b) => b.name) : [bucket];
  for (const name of buckets) {
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const page = await engine.listMultipartUploads({
        bucket: name,
        ...(keyMarker === undefined ? {} : { keyMarker }),
        ...(uploadIdMarker === undefined ? {} : { uploadIdMarker }),
      });
      yield* page.uploads;
      if (!page.isTruncated) break;
      keyMarker = page.nextKeyMarker;
      uploadIdMarker = page.nextUploadIdMarker;
    }
  }
}

export function formatUpload(upload: UploadInfo, now: Date): string {
  const ageHours = (now.getTime() - upload.initiated.getTime()) / 3_600_000;
  const age = ageHours >= 48 ? `${Math.floor(ageHours / 24)}d` : `${Math.floor(ageHours)}h`;
  return `${upload.initiated.toISOString()}  ${age.padStart(5)}  ${upload.bucket}  ${upload.uploadId}  ${upload.key}`;
}

/** Abort one upload found by id alone (operators copy ids from `mpu uploads list`). */
export async function abortUploadById(engine: Engine, uploadId: string, bucket?: string): Promise<UploadInfo | undefined> {
  for await (const upload of allUploads(engine, bucket)) {
    if (upload.uploadId === uploadId) {
      await engine.abortMultipartUpload(upload);
      return upload;
    }
  }
  return undefined;
}
