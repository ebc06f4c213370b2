import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { GcsStore, type GcsStoreOptions } from '../src/index.js';

/** Bucket used on the shared endpoint (override with MPU_GCS_BUCKET for a real one). */
export const bucketName = process.env.MPU_GCS_BUCKET ?? 'mpu-test';

export function sharedEndpoint(): string {
  return inject('gcsEndpoint');
}

/** A unique object prefix, so every test gets an empty namespace in the shared bucket. */
export function freshPrefix(label = 't'): string {
  return `${label}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}/`;
}

let bucketReady: Promise<void> | undefined;

/** Creates the bucket on an external endpoint if it is missing (the in-repo server has it). */
async function ensureBucket(endpoint: string): Promise<void> {
  const probe = new GcsStore({ bucket: bucketName, apiEndpoint: endpoint, projectId: 'test' });
  try {
    await probe.storage.bucket(bucketName).getMetadata();
  } catch (error) {
    if ((error as { code?: unknown }).code !== 404) throw error;
    await probe.storage.createBucket(bucketName).catch((e: unknown) => {
      if ((e as { code?: unknown }).code !== 409) throw e;
    });
  }
}

export async function openSharedStore(options: Partial<GcsStoreOptions> = {}): Promise<GcsStore> {
  const endpoint = sharedEndpoint();
  bucketReady ??= ensureBucket(endpoint);
  await bucketReady;
  return GcsStore.open({ bucket: bucketName, apiEndpoint: endpoint, projectId: 'test', prefix: freshPrefix(), ...options });
}
