import type { AuthorizeHook } from '@mpu/s3';

/** One storage server, several tenants: each access key owns the buckets under its prefix. */
export const TENANTS: Readonly<Record<string, { secretAccessKey: string; bucketPrefix: string }>> = {
  AKIDALICE: { secretAccessKey: 'alice-secret', bucketPrefix: 'alice-' },
  AKIDBOB: { secretAccessKey: 'bob-secret', bucketPrefix: 'bob-' },
};

/** `credentials` as a lookup; a real server would await its database here. */
export async function tenantSecret(accessKeyId: string): Promise<string | undefined> {
  return TENANTS[accessKeyId]?.secretAccessKey;
}

/** Runs after the signature is verified, before any byte of the body is read. */
export const tenantAuthorization: AuthorizeHook = ({ accessKeyId, bucket, copySource }) => {
  const prefix = accessKeyId === undefined ? undefined : TENANTS[accessKeyId]?.bucketPrefix;
  // Anonymous callers and ListBuckets (no bucket) are refused.
  if (prefix === undefined || bucket === undefined) return false;
  // A copy reads a second object: it must belong to the tenant too.
  return bucket.startsWith(prefix) && (copySource === undefined || copySource.bucket.startsWith(prefix));
};
