import { GROUP_URIS, S3Error, isCannedAcl } from '@mpu/core';
import type { AclPermission, AclRequest, Grant, Grantee } from '@mpu/core';
import { headerOf } from './request-context.js';
import type { RequestContext } from './request-context.js';

/**
 * `x-amz-acl` (canned) and `x-amz-grant-*` headers → an ACL request
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectAcl.html#API_PutObjectAcl_RequestSyntax).
 * A grant header lists grantees as `id="…"`, `uri="…"` or `emailAddress="…"`, comma-separated.
 * mpu has no e-mail directory, so every e-mail grantee is unresolvable, as an unknown address
 * is in AWS.
 */

const GRANT_HEADERS: readonly (readonly [string, AclPermission])[] = [
  ['x-amz-grant-read', 'READ'],
  ['x-amz-grant-write', 'WRITE'],
  ['x-amz-grant-read-acp', 'READ_ACP'],
  ['x-amz-grant-write-acp', 'WRITE_ACP'],
  ['x-amz-grant-full-control', 'FULL_CONTROL'],
];

const KNOWN_GROUPS: ReadonlySet<string> = new Set(Object.values(GROUP_URIS));
const GRANTEE = /\s*(id|uri|emailAddress)\s*=\s*(?:"([^"]*)"|([^,\s"]*))\s*(?:,|$)/iy;

function badGrant(header: string, value: string): S3Error {
  return new S3Error('InvalidArgument', 'Argument format not recognized', { ArgumentName: header, ArgumentValue: value });
}

export function granteeOf(kind: string, value: string, header: string): Grantee {
  switch (kind.toLowerCase()) {
    case 'id':
      if (value === '') throw new S3Error('InvalidArgument', 'Invalid id', { ArgumentName: 'CanonicalUser/ID', ArgumentValue: value });
      return { type: 'CanonicalUser', id: value };
    case 'uri':
      if (!KNOWN_GROUPS.has(value)) throw new S3Error('InvalidArgument', 'Invalid group uri', { ArgumentName: 'Group/URI', ArgumentValue: value });
      return { type: 'Group', uri: value };
    case 'emailaddress':
      throw new S3Error('UnresolvableGrantByEmailAddress', undefined, { EmailAddress: value });
    default:
      throw badGrant(header, value);
  }
}

export function parseGrantHeader(header: string, value: string, permission: AclPermission): Grant[] {
  const grants: Grant[] = [];
  GRANTEE.lastIndex = 0;
  while (GRANTEE.lastIndex < value.length) {
    const start = GRANTEE.lastIndex;
    const match = GRANTEE.exec(value);
    if (match === null || GRANTEE.lastIndex === start) throw badGrant(header, value);
    grants.push({ grantee: granteeOf(match[1]!, match[2] ?? match[3] ?? '', header), permission });
  }
  if (grants.length === 0) throw badGrant(header, value);
  return grants;
}

/** The ACL a request's headers ask for; undefined when it sends none. */
export function aclFromHeaders(ctx: RequestContext): AclRequest | undefined {
  const canned = headerOf(ctx, 'x-amz-acl');
  const grants: Grant[] = [];
  let anyGrantHeader = false;
  for (const [header, permission] of GRANT_HEADERS) {
    const value = headerOf(ctx, header);
    if (value === undefined) continue;
    anyGrantHeader = true;
    grants.push(...parseGrantHeader(header, value, permission));
  }
  if (canned !== undefined && anyGrantHeader) {
    throw new S3Error('InvalidRequest', 'Specifying both Canned ACLs and Header Grants is not allowed');
  }
  if (canned !== undefined) {
    if (!isCannedAcl(canned)) throw new S3Error('InvalidArgument', undefined, { ArgumentName: 'x-amz-acl', ArgumentValue: canned });
    return { canned };
  }
  return anyGrantHeader ? { grants } : undefined;
}
