import { S3Error } from '../errors/s3-error.js';
import type { Owner } from './types.js';

/**
 * Access control lists as S3 defines them (https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html):
 * grants of five permissions to canonical users or to the predefined groups, canned ACLs as
 * shorthands for grant lists, object ownership (ownership controls) and the one evaluation
 * rule every access check uses. Records store resolved grants; no grants means `private`.
 */

export type AclPermission = 'READ' | 'WRITE' | 'READ_ACP' | 'WRITE_ACP' | 'FULL_CONTROL';
export const ACL_PERMISSIONS: readonly AclPermission[] = ['READ', 'WRITE', 'READ_ACP', 'WRITE_ACP', 'FULL_CONTROL'];

export type CannedAcl =
  | 'private' | 'public-read' | 'public-read-write' | 'authenticated-read' | 'aws-exec-read'
  | 'bucket-owner-read' | 'bucket-owner-full-control' | 'log-delivery-write';
export const CANNED_ACLS: readonly CannedAcl[] = [
  'private', 'public-read', 'public-read-write', 'authenticated-read', 'aws-exec-read',
  'bucket-owner-read', 'bucket-owner-full-control', 'log-delivery-write',
];

export const GROUP_URIS = {
  allUsers: 'http://acs.amazonaws.com/groups/global/AllUsers',
  authenticatedUsers: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
  logDelivery: 'http://acs.amazonaws.com/groups/s3/LogDelivery',
} as const;

export type Grantee =
  | { readonly type: 'CanonicalUser'; readonly id: string; readonly displayName?: string }
  | { readonly type: 'Group'; readonly uri: string };

export interface Grant {
  readonly grantee: Grantee;
  readonly permission: AclPermission;
}

/** What a request asks for: a canned ACL (`x-amz-acl`) or explicit grants (headers or XML). */
export type AclRequest = { readonly canned: CannedAcl } | { readonly grants: readonly Grant[] };

export interface AccessControlPolicy {
  readonly owner: Owner;
  readonly grants: readonly Grant[];
}

/** https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html */
export type ObjectOwnership = 'BucketOwnerEnforced' | 'BucketOwnerPreferred' | 'ObjectWriter';
export const OBJECT_OWNERSHIP_VALUES: readonly ObjectOwnership[] = ['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter'];
/**
 * AWS makes new buckets `BucketOwnerEnforced` (ACLs disabled) since April 2023; mpu keeps
 * ACLs enabled by default so that `aws s3 cp --acl public-read` works on a fresh bucket,
 * which is what S3-compatible servers (MinIO, Ceph) do. Documented in the s3 README.
 */
export const DEFAULT_OBJECT_OWNERSHIP: ObjectOwnership = 'ObjectWriter';

/** Who is asking: the anonymous principal or a canonical user id. */
export type AccessPrincipal = { readonly kind: 'anonymous' } | { readonly kind: 'user'; readonly id: string };

function user(owner: Owner, permission: AclPermission): Grant {
  return { grantee: { type: 'CanonicalUser', id: owner.id, displayName: owner.displayName }, permission };
}

function group(uri: string, permission: AclPermission): Grant {
  return { grantee: { type: 'Group', uri }, permission };
}

/**
 * The grants a canned ACL stands for (https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl).
 * `bucketOwner` matters only for the bucket-owner-* ACLs on objects.
 */
export function cannedGrants(canned: CannedAcl, owner: Owner, bucketOwner: Owner = owner): Grant[] {
  const grants = [user(owner, 'FULL_CONTROL')];
  switch (canned) {
    case 'private':
    case 'aws-exec-read': // EC2's read grant has no meaning outside AWS.
      return grants;
    case 'public-read':
      return [...grants, group(GROUP_URIS.allUsers, 'READ')];
    case 'public-read-write':
      return [...grants, group(GROUP_URIS.allUsers, 'READ'), group(GROUP_URIS.allUsers, 'WRITE')];
    case 'authenticated-read':
      return [...grants, group(GROUP_URIS.authenticatedUsers, 'READ')];
    case 'bucket-owner-read':
      return bucketOwner.id === owner.id ? grants : [...grants, user(bucketOwner, 'READ')];
    case 'bucket-owner-full-control':
      return bucketOwner.id === owner.id ? grants : [...grants, user(bucketOwner, 'FULL_CONTROL')];
    case 'log-delivery-write':
      return [...grants, group(GROUP_URIS.logDelivery, 'WRITE'), group(GROUP_URIS.logDelivery, 'READ_ACP')];
  }
}

export function isCannedAcl(value: string): value is CannedAcl {
  return (CANNED_ACLS as readonly string[]).includes(value);
}

export function resolveAcl(request: AclRequest, owner: Owner, bucketOwner?: Owner): Grant[] {
  return 'canned' in request ? cannedGrants(request.canned, owner, bucketOwner) : request.grants.map((grant) => ({ ...grant }));
}

/** Grants of a record; a record without any is `private` (its owner has FULL_CONTROL). */
export function grantsOf(owner: Owner, grants: readonly Grant[] | undefined): readonly Grant[] {
  return grants ?? [user(owner, 'FULL_CONTROL')];
}

function granteeMatches(grantee: Grantee, principal: AccessPrincipal): boolean {
  if (grantee.type === 'Group') {
    if (grantee.uri === GROUP_URIS.allUsers) return true;
    return grantee.uri === GROUP_URIS.authenticatedUsers && principal.kind === 'user';
  }
  return principal.kind === 'user' && grantee.id === principal.id;
}

/**
 * Whether `principal` holds `permission` on a resource. The owner holds every permission (as
 * the owner of an S3 resource can always read and write its ACL); a record written before
 * owners were recorded (`owner` undefined) is owned by every authenticated principal, which is
 * what every credential could do before. FULL_CONTROL implies the other four.
 */
export function isGranted(
  resource: { readonly owner?: Owner; readonly grants?: readonly Grant[] },
  principal: AccessPrincipal,
  permission: AclPermission,
): boolean {
  if (principal.kind === 'user' && (resource.owner === undefined || resource.owner.id === principal.id)) return true;
  for (const grant of resource.grants ?? []) {
    if ((grant.permission === permission || grant.permission === 'FULL_CONTROL') && granteeMatches(grant.grantee, principal)) return true;
  }
  return false;
}

/**
 * An ACL-setting request under BucketOwnerEnforced: only `bucket-owner-full-control` (or none)
 * is accepted, as AWS does (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ensure-object-ownership.html).
 */
export function assertAclsEnabled(ownership: ObjectOwnership | undefined, request: AclRequest | undefined): void {
  if (request === undefined || ownership !== 'BucketOwnerEnforced') return;
  if ('canned' in request && request.canned === 'bucket-owner-full-control') return;
  throw new S3Error('AccessControlListNotSupported', undefined);
}
