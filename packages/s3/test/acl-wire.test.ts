import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CountingStore, MemoryStore, MultipartEngine } from '@mpu/core';
import { startS3Server } from '../src/index.js';
import type { RunningS3Server } from '../src/index.js';
import { ACCESS_KEY, SECRET_KEY, errorCode, send } from './signed-client.js';
import type { RawResponse } from './signed-client.js';

/** ACL and tagging requests on the wire: exact errors, documents, and that a refusal changes nothing. */

let server: RunningS3Server;
let endpoint: string;

beforeAll(async () => {
  server = await startS3Server({ engine: new MultipartEngine({ store: new MemoryStore() }), credentials: [{ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }] });
  endpoint = server.url;
  await send(endpoint, { method: 'PUT', url: '/wire' });
  await send(endpoint, { method: 'PUT', url: '/wire/obj', body: 'hello', headers: { 'x-amz-acl': 'public-read' } });
});

afterAll(async () => {
  await server.close();
});

function expectError(res: RawResponse, status: number, code: string, message?: RegExp): void {
  expect({ status: res.status, code: errorCode(res.text) }).toEqual({ status, code });
  if (message) expect(res.text).toMatch(message);
}

const aclXml = (grants: string) => `<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>${ACCESS_KEY}</ID></Owner><AccessControlList>${grants}</AccessControlList></AccessControlPolicy>`;
const xsi = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

describe('ACL requests on the wire', () => {
  it('GetObjectAcl answers an AccessControlPolicy with xsi:type on each Grantee', async () => {
    const res = await send(endpoint, { method: 'GET', url: '/wire/obj?acl' });
    expect(res.status).toBe(200);
    expect(res.text).toContain(`<Owner><ID>${ACCESS_KEY}</ID><DisplayName>${ACCESS_KEY}</DisplayName></Owner>`);
    expect(res.text).toContain(`<Grant><Grantee ${xsi} xsi:type="CanonicalUser"><ID>${ACCESS_KEY}</ID><DisplayName>${ACCESS_KEY}</DisplayName></Grantee><Permission>FULL_CONTROL</Permission></Grant>`);
    expect(res.text).toContain(`<Grant><Grantee ${xsi} xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>`);
  });

  it('bad ACL requests get the exact S3 error and leave the ACL as it was', async () => {
    const before = (await send(endpoint, { method: 'GET', url: '/wire/obj?acl' })).text;
    expectError(await send(endpoint, { method: 'PUT', url: '/wire/obj?acl', body: '<AccessControlPolicy>' }), 400, 'MalformedACLError');
    expectError(await send(endpoint, { method: 'PUT', url: '/wire/obj?acl', body: aclXml(`<Grant><Grantee ${xsi} xsi:type="CanonicalUser"><ID>x</ID></Grantee><Permission>EVERYTHING</Permission></Grant>`) }), 400, 'MalformedACLError');
    expectError(await send(endpoint, { method: 'PUT', url: '/wire/obj?acl', body: aclXml(`<Grant><Grantee ${xsi} xsi:type="AmazonCustomerByEmail"><EmailAddress>a@b.c</EmailAddress></Grantee><Permission>READ</Permission></Grant>`) }), 400, 'UnresolvableGrantByEmailAddress', /<EmailAddress>a@b.c<\/EmailAddress>/);
    expectError(await send(endpoint, { method: 'PUT', url: '/wire/obj?acl', headers: { 'x-amz-acl': 'private', 'x-amz-grant-read': 'id="x"' } }), 400, 'InvalidRequest');
    expectError(await send(endpoint, { method: 'PUT', url: '/wire/obj?acl', headers: { 'x-amz-grant-read': 'uri="http://example.com/group"' } }), 400, 'InvalidArgument');
    expectError(await send(endpoint, { method: 'PUT', url: '/wire/obj?acl', headers: { 'x-amz-grant-read': 'garbage' } }), 400, 'InvalidArgument');
    expectError(await send(endpoint, { method: 'PUT', url: '/wire/obj', body: 'new', headers: { 'x-amz-acl': 'world-writable' } }), 400, 'InvalidArgument');
    expect((await send(endpoint, { method: 'GET', url: '/wire/obj?acl' })).text).toBe(before);
    expect((await send(endpoint, { method: 'GET', url: '/wire/obj' })).text).toBe('hello');
  });

  it('grant headers on PutObject: several grantees per header, every permission', async () => {
    const put = await send(endpoint, { method: 'PUT', url: '/wire/granted', body: 'x', headers: {
      'x-amz-grant-read': 'id="reader-1", id="reader-2"',
      'x-amz-grant-write-acp': 'uri="http://acs.amazonaws.com/groups/global/AuthenticatedUsers"',
    } });
    expect(put.status).toBe(200);
    const acl = (await send(endpoint, { method: 'GET', url: '/wire/granted?acl' })).text;
    // Explicit grants replace the ACL as a whole (the owner keeps its rights as owner, not as a grant).
    const grants = [...acl.matchAll(/<Grant>.*?<(?:ID|URI)>([^<]+)<.*?<Permission>(\w+)<\/Permission><\/Grant>/g)].map((m) => `${m[1]}:${m[2]}`);
    expect(grants).toEqual([
      'reader-1:READ', 'reader-2:READ', 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers:WRITE_ACP',
    ]);
  });

  it('an unsigned request is answered 403 AccessDenied without reading the body; HEAD of a public object works', async () => {
    const res = await fetch(`${endpoint}/wire/unsigned`, { method: 'PUT', body: 'x' });
    expect(res.status).toBe(403);
    expect(errorCode(await res.text())).toBe('AccessDenied');
    expect((await send(endpoint, { method: 'GET', url: '/wire/unsigned' })).status).toBe(404);
    const head = await fetch(`${endpoint}/wire/obj`, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-length')]).toEqual([200, '5']);
    expect((await fetch(`${endpoint}/wire/obj?acl`)).status).toBe(403);
  });
});

describe('tagging requests on the wire', () => {
  it('x-amz-tagging-count on GET and HEAD only when tags exist; a Tagging document both ways', async () => {
    await send(endpoint, { method: 'PUT', url: '/wire/tagged', body: 'x', headers: { 'x-amz-tagging': 'a=1&b=2' } });
    expect((await send(endpoint, { method: 'HEAD', url: '/wire/tagged' })).headers['x-amz-tagging-count']).toBe('2');
    expect((await send(endpoint, { method: 'GET', url: '/wire/obj' })).headers['x-amz-tagging-count']).toBeUndefined();
    const got = await send(endpoint, { method: 'GET', url: '/wire/tagged?tagging' });
    expect(got.text).toContain('<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key><Value>2</Value></Tag></TagSet></Tagging>');
    const put = await send(endpoint, { method: 'PUT', url: '/wire/tagged?tagging', body: '<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>' });
    expect(put.status).toBe(200);
    expect((await send(endpoint, { method: 'DELETE', url: '/wire/tagged?tagging' })).status).toBe(204);
    expect((await send(endpoint, { method: 'GET', url: '/wire/tagged?tagging' })).text).toContain('<TagSet></TagSet>');
  });

  it('InvalidTag with the AWS messages; MalformedXML for a broken document; NoSuchTagSet on a bucket', async () => {
    const tag = (k: string, v: string) => `<Tag><Key>${k}</Key><Value>${v}</Value></Tag>`;
    expectError(await send(endpoint, { method: 'PUT', url: '/wire/obj?tagging', body: `<Tagging><TagSet>${tag('k', '1')}${tag('k', '2')}</TagSet></Tagging>` }), 400, 'InvalidTag', /Cannot provide multiple Tags with the same key/);
    expectError(await send(endpoint, { method: 'PUT', url: '/wire/obj?tagging', body: `<Tagging><TagSet>${tag('k'.repeat(129), '1')}</TagSet></Tagging>` }), 400, 'InvalidTag', /too long, max 128/);
    expectError(await send(endpoint, { method: 'PUT', url: '/wire/obj?tagging', body: '<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>' }), 400, 'MalformedXML');
    expectError(await send(endpoint, { method: 'PUT', url: '/wire/new', body: 'x', headers: { 'x-amz-tagging': 'aws:a=1' } }), 400, 'InvalidTag', /prefixed with aws:/);
    expect((await send(endpoint, { method: 'GET', url: '/wire/new' })).status).toBe(404);
    expectError(await send(endpoint, { method: 'GET', url: '/wire?tagging' }), 404, 'NoSuchTagSet');
    expect((await send(endpoint, { method: 'PUT', url: '/wire?tagging', body: `<Tagging><TagSet>${tag('env', 'test')}</TagSet></Tagging>` })).status).toBe(204);
    expect((await send(endpoint, { method: 'GET', url: '/wire?tagging' })).text).toContain(tag('env', 'test'));
  });

  it('ownership controls: document both ways, OwnershipControlsNotFoundError, MalformedXML for an unknown value', async () => {
    expectError(await send(endpoint, { method: 'GET', url: '/wire?ownershipControls' }), 404, 'OwnershipControlsNotFoundError');
    expectError(await send(endpoint, { method: 'PUT', url: '/wire?ownershipControls', body: '<OwnershipControls><Rule><ObjectOwnership>Mine</ObjectOwnership></Rule></OwnershipControls>' }), 400, 'MalformedXML');
    const body = '<OwnershipControls xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ObjectOwnership>BucketOwnerPreferred</ObjectOwnership></Rule></OwnershipControls>';
    expect((await send(endpoint, { method: 'PUT', url: '/wire?ownershipControls', body })).status).toBe(200);
    expect((await send(endpoint, { method: 'GET', url: '/wire?ownershipControls' })).text).toContain(body);
    expect((await send(endpoint, { method: 'DELETE', url: '/wire?ownershipControls' })).status).toBe(204);
    expectError(await send(endpoint, { method: 'PUT', url: '/wire2', headers: { 'x-amz-object-ownership': 'Nope' } }), 400, 'InvalidArgument');
  });
});

describe('cost of the access check', () => {
  it('signed requests read no extra record when every credential is one owner; unsigned ones read bucket and object ACLs', async () => {
    const store = new CountingStore(new MemoryStore());
    const engine = new MultipartEngine({ store });
    const counted = await startS3Server({ engine, credentials: [{ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }] });
    try {
      await send(counted.url, { method: 'PUT', url: '/cost' });
      await send(counted.url, { method: 'PUT', url: '/cost/obj', body: 'x', headers: { 'x-amz-acl': 'public-read' } });
      store.reset();
      await engine.headObject({ bucket: 'cost', key: 'obj' });
      const engineReads = store.snapshot().calls.readRecord;
      store.reset();
      expect((await send(counted.url, { method: 'HEAD', url: '/cost/obj' })).status).toBe(200);
      expect(store.snapshot().calls.readRecord).toBe(engineReads);
      store.reset();
      expect((await fetch(`${counted.url}/cost/obj`, { method: 'HEAD' })).status).toBe(200);
      // getBucketAccess (1) + getObjectAccess (bucket + object: 2) before the HEAD itself.
      expect(store.snapshot().calls.readRecord).toBe(engineReads + 3);
    } finally {
      await counted.close();
    }
  });
});
