import { ACL_PERMISSIONS, GROUP_URIS, S3Error } from '@mpu/core';
import type { AccessControlPolicy, AclPermission, Grant, Grantee, Owner } from '@mpu/core';
import { granteeOf } from './acl-headers.js';
import { childElements, childText, parseXmlDocument, resultDocument } from './xml.js';
import type { XmlChild, XmlElement } from './xml.js';

/**
 * The `AccessControlPolicy` document both ways
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectAcl.html). The parser ignores
 * attributes, so a grantee's kind is read from its child (ID, URI or EmailAddress) rather than
 * from `xsi:type`; anything that does not fit the schema is MalformedACLError, as AWS answers.
 */

const XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';
const KNOWN_GROUPS: ReadonlySet<string> = new Set(Object.values(GROUP_URIS));

function malformedAcl(reason: string): S3Error {
  return new S3Error('MalformedACLError', undefined, {}, { cause: new Error(reason) });
}

function granteeXml(grantee: Grantee): XmlChild {
  if (grantee.type === 'Group') return [`Grantee ${XSI} xsi:type="Group"`, [['URI', grantee.uri]]];
  return [`Grantee ${XSI} xsi:type="CanonicalUser"`, [
    ['ID', grantee.id],
    grantee.displayName === undefined ? undefined : ['DisplayName', grantee.displayName],
  ]];
}

export function ownerElement(owner: Owner): XmlChild {
  return ['Owner', [['ID', owner.id], ['DisplayName', owner.displayName]]];
}

export function accessControlPolicyXml(policy: AccessControlPolicy): string {
  return resultDocument('AccessControlPolicy', [
    ownerElement(policy.owner),
    ['AccessControlList', policy.grants.map((grant) => ['Grant', [granteeXml(grant.grantee), ['Permission', grant.permission]]] as const)],
  ]);
}

function parseGrantee(element: XmlElement): Grantee {
  const id = childText(element, 'ID');
  const uri = childText(element, 'URI');
  const email = childText(element, 'EmailAddress');
  const kinds = [id, uri, email].filter((v) => v !== undefined).length;
  if (kinds !== 1) throw malformedAcl('a Grantee names exactly one of ID, URI, EmailAddress');
  if (uri !== undefined && !KNOWN_GROUPS.has(uri.trim())) throw malformedAcl(`unknown group ${uri}`);
  if (id !== undefined) return { ...granteeOf('id', id.trim(), 'AccessControlPolicy'), ...(childText(element, 'DisplayName') ? { displayName: childText(element, 'DisplayName')! } : {}) };
  return uri !== undefined ? granteeOf('uri', uri.trim(), 'AccessControlPolicy') : granteeOf('emailAddress', (email ?? '').trim(), 'AccessControlPolicy');
}

/** Grants of an `AccessControlPolicy` body. The Owner element is required, as in AWS. */
export function parseAccessControlPolicy(body: string): Grant[] {
  let root: XmlElement;
  try {
    root = parseXmlDocument(body, 'AccessControlPolicy');
  } catch (error) {
    if (error instanceof S3Error && error.code === 'MalformedXML') throw malformedAcl(error.cause instanceof Error ? error.cause.message : 'ill-formed');
    throw error;
  }
  const owner = childElements(root, 'Owner')[0];
  if (owner === undefined || childText(owner, 'ID') === undefined) throw malformedAcl('Owner/ID is required');
  const list = childElements(root, 'AccessControlList')[0];
  if (list === undefined) throw malformedAcl('AccessControlList is required');
  return childElements(list, 'Grant').map((grant) => {
    const grantee = childElements(grant, 'Grantee')[0];
    const permission = childText(grant, 'Permission')?.trim();
    if (grantee === undefined || permission === undefined || !(ACL_PERMISSIONS as readonly string[]).includes(permission)) {
      throw malformedAcl('each Grant needs a Grantee and a Permission');
    }
    return { grantee: parseGrantee(grantee), permission: permission as AclPermission };
  });
}
