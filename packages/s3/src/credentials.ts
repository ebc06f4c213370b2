import type { Owner } from '@mpu/core';

/** Access keys the handler accepts: a fixed list or a lookup (e.g. backed by a database). */
export interface StaticCredential {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /**
   * The owner this key acts as: its canonical user id (`canonicalId`, or `id` as in AWS's
   * Owner element) and display name, both defaulting to the access key id. Several keys may
   * share one owner; buckets, objects and grants name owners, never keys.
   */
  readonly canonicalId?: string;
  readonly id?: string;
  readonly displayName?: string;
}

export type SecretLookup = (accessKeyId: string) => string | undefined | Promise<string | undefined>;

export type CredentialsOption = readonly StaticCredential[] | SecretLookup;

export function toSecretLookup(credentials: CredentialsOption): SecretLookup {
  if (typeof credentials === 'function') return credentials;
  const table = new Map(credentials.map((c) => [c.accessKeyId, c.secretAccessKey]));
  return (accessKeyId) => table.get(accessKeyId);
}

export function ownerOfCredential(credential: StaticCredential): Owner {
  const id = credential.canonicalId ?? credential.id ?? credential.accessKeyId;
  return { id, displayName: credential.displayName ?? credential.accessKeyId };
}

/** Access key id → owner. Keys of a lookup function own themselves (id = display name = key). */
export function toOwnerLookup(credentials: CredentialsOption): (accessKeyId: string) => Owner {
  if (typeof credentials === 'function') return (accessKeyId) => ({ id: accessKeyId, displayName: accessKeyId });
  const table = new Map(credentials.map((c) => [c.accessKeyId, ownerOfCredential(c)]));
  return (accessKeyId) => table.get(accessKeyId) ?? { id: accessKeyId, displayName: accessKeyId };
}

/**
 * Whether every key acts as the same owner. Then ACLs cannot separate authenticated callers,
 * and the access check skips them (no extra record read per request, today's behaviour).
 */
export function hasSingleOwner(credentials: CredentialsOption): boolean {
  if (typeof credentials === 'function') return false;
  return new Set(credentials.map((c) => ownerOfCredential(c).id)).size <= 1;
}
