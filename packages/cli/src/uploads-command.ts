import type { Engine, UploadInfo, UploadRef } from '@mpu/core';

/**
 * What `mpu uploads` needs: bucket names, one page of in-progress uploads, abort. Served by an
 * engine over the store (no server running) or by a running server through the S3 API.
 */
export interface UploadsAdmin {
  bucketNames(): Promise<readonly string[]>;
  listUploadsPage(bucket: string, keyMarker?: string, uploadIdMarker?: string): Promise<{
    readonly uploads: readonly UploadInfo[];
    readonly next?: { readonly keyMarker?: string; readonly uploadIdMarker?: string };
  }>;
  abort(upload: UploadRef): Promise<void>;
  close(): Promise<void>;
}

/** Administration straight on the store, for when no server holds it. */
export function engineAdmin(engine: Engine): UploadsAdmin {
  return {
    bucketNames: async () => (await engine.listBuckets()).buckets.map((b) => b.name),
    async listUploadsPage(bucket, keyMarker, uploadIdMarker) {
      const page = await engine.listMultipartUploads({
        bucket,
        ...(keyMarker === undefined ? {} : { keyMarker }),
        ...(uploadIdMarker === undefined ? {} : { uploadIdMarker }),
      });
      return {
        uploads: page.uploads,
        ...(page.isTruncated ? { next: { keyMarker: page.nextKeyMarker, uploadIdMarker: page.nextUploadIdMarker } } : {}),
      };
    },
    abort: (upload) => engine.abortMultipartUpload(upload),
    close: () => engine.close(),
  };
}

/** Every in-progress upload in every bucket, following ListMultipartUploads pagination. */
export async function* allUploads(admin: UploadsAdmin, bucket?: string): AsyncGenerator<UploadInfo> {
  const buckets = bucket === undefined ? await admin.bucketNames() : [bucket];
  for (const name of buckets) {
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const page = await admin.listUploadsPage(name, keyMarker, uploadIdMarker);
      yield* page.uploads;
      if (page.next === undefined) break;
      ({ keyMarker, uploadIdMarker } = page.next);
    }
  }
}

export function formatUpload(upload: UploadInfo, now: Date): string {
  const ageHours = (now.getTime() - upload.initiated.getTime()) / 3_600_000;
  const age = ageHours >= 48 ? `${Math.floor(ageHours / 24)}d` : `${Math.floor(ageHours)}h`;
  return `${upload.initiated.toISOString()}  ${age.padStart(5)}  ${upload.bucket}  ${upload.uploadId}  ${upload.key}`;
}

/** Abort one upload found by id alone (operators copy ids from `mpu uploads list`). */
export async function abortUploadById(admin: UploadsAdmin, uploadId: string, bucket?: string): Promise<UploadInfo | undefined> {
  for await (const upload of allUploads(admin, bucket)) {
    if (upload.uploadId === uploadId) {
      await admin.abort(upload);
      return upload;
    }
  }
  return undefined;
}
