import {
  AbortMultipartUploadCommand, ListBucketsCommand, ListMultipartUploadsCommand, S3Client, S3ServiceException,
} from '@aws-sdk/client-s3';
import type { UploadInfo } from '@mpu/core';
import type { UploadsAdmin } from './uploads-command.js';

export interface RemoteOptions {
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region?: string;
}

/**
 * `mpu uploads` through a running server: signed S3 requests (ListBuckets,
 * ListMultipartUploads, AbortMultipartUpload), so it works while the server holds the data.
 */
export function remoteAdmin(options: RemoteOptions): UploadsAdmin {
  const client = new S3Client({
    endpoint: options.endpoint,
    region: options.region ?? 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    maxAttempts: 1,
  });
  return {
    async bucketNames() {
      const names: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListBucketsCommand({ ...(token === undefined ? {} : { ContinuationToken: token }) }));
        names.push(...(page.Buckets ?? []).map((b) => b.Name ?? ''));
        token = page.ContinuationToken;
      } while (token !== undefined);
      return names;
    },
    async listUploadsPage(bucket, keyMarker, uploadIdMarker) {
      const page = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }));
      const uploads: UploadInfo[] = (page.Uploads ?? []).map((u) => ({
        bucket,
        key: u.Key ?? '',
        uploadId: u.UploadId ?? '',
        initiated: u.Initiated ?? new Date(0),
        storageClass: u.StorageClass ?? 'STANDARD',
        owner: { id: u.Owner?.ID ?? '', displayName: u.Owner?.DisplayName ?? '' },
      }));
      return { uploads, ...(page.IsTruncated ? { next: { keyMarker: page.NextKeyMarker, uploadIdMarker: page.NextUploadIdMarker } } : {}) };
    },
    async abort(upload) {
      await client.send(new AbortMultipartUploadCommand({ Bucket: upload.bucket, Key: upload.key, UploadId: upload.uploadId }));
    },
    close: async () => client.destroy(),
  };
}

/** Whether a server answers at `endpoint` (any S3 answer counts; a refused connection does not). */
export async function serverAnswers(admin: UploadsAdmin): Promise<boolean> {
  try {
    await admin.bucketNames();
    return true;
  } catch (error) {
    if (error instanceof S3ServiceException) throw error; // a server, refusing: say why
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH') return false;
    throw error;
  }
}
