import { describe, expect, it } from 'vitest';
import { DEFAULT_OWNER, GROUP_URIS, allowsAccess, cannedGrants, isGranted } from '@mpu/core';
import type { AccessPrincipal, Owner } from '@mpu/core';
import { body, expectS3Error, makeEngine, TINY_LIMITS } from './engine-helpers.js';

const alice: Owner = { id: 'alice-id', displayName: 'alice' };
const bob: Owner = { id: 'bob-id', displayName: 'bob' };
const anonymous: AccessPrincipal = { kind: 'anonymous' };
const asBob: AccessPrincipal = { kind: 'user', id: bob.id };
const asAlice: AccessPrincipal = { kind: 'user', id: alice.id };

async function aliceBucket(options: Parameters<ReturnType<typeof makeEngine>['engine']['createBucket']>[1] = {}) {
  const made = makeEngine({ limits: TINY_LIMITS });
  await made.engine.createBucket('bucket', { owner: alice, ...options });
  return made;
}

describe('canned ACLs and grant evaluation', () => {
  it('each canned ACL stands for the grants AWS documents', () => {
    expect(cannedGrants('private', alice)).toEqual([{ grantee: { type: 'CanonicalUser', id: alice.id, displayName: alice.displayName }, permission: 'FULL_CONTROL' }]);
    expect(cannedGrants('public-read', alice).map((g) => [g.grantee.type === 'Group' ? g.grantee.uri : g.grantee.id, g.permission])).toEqual([
      [alice.id, 'FULL_CONTROL'], [GROUP_URIS.allUsers, 'READ'],
    ]);
    expect(cannedGrants('public-read-write', alice).slice(1).map((g) => g.permission)).toEqual(['READ', 'WRITE']);
    expect(cannedGrants('authenticated-read', alice)[1]?.grantee).toEqual({ type: 'Group', uri: GROUP_URIS.authenticatedUsers });
    expect(cannedGrants('bucket-owner-full-control', bob, alice)[1]).toMatchObject({ grantee: { id: alice.id }, permission: 'FULL_CONTROL' });
    expect(cannedGrants('bucket-owner-read', bob, alice)[1]).toMatchObject({ grantee: { id: alice.id }, permission: 'READ' });
    expect(cannedGrants('bucket-owner-read', alice, alice)).toHaveLength(1);
    expect(cannedGrants('log-delivery-write', alice).slice(1).map((g) => g.permission)).toEqual(['WRITE', 'READ_ACP']);
  });

  it('owners hold everything; AllUsers covers anonymous, AuthenticatedUsers only signed callers; FULL_CONTROL implies all', () => {
    const publicRead = { owner: alice, grants: cannedGrants('public-read', alice) };
    expect(isGranted(publicRead, anonymous, 'READ')).toBe(true);
    expect(isGranted(publicRead, anonymous, 'WRITE')).toBe(false);
    expect(isGranted(publicRead, asAlice, 'WRITE_ACP')).toBe(true);
    const authRead = { owner: alice, grants: cannedGrants('authenticated-read', alice) };
    expect(isGranted(authRead, asBob, 'READ')).toBe(true);
    expect(isGranted(authRead, anonymous, 'READ')).toBe(false);
    const bobFull = { owner: alice, grants: [{ grantee: { type: 'CanonicalUser' as const, id: bob.id }, permission: 'FULL_CONTROL' as const }] };
    expect(isGranted(bobFull, asBob, 'READ_ACP')).toBe(true);
    expect(isGranted({ owner: alice }, asBob, 'READ')).toBe(false);
    // Records from before owners were recorded belong to every signed caller, never to anonymous.
    expect(isGranted({}, asBob, 'WRITE')).toBe(true);
    expect(isGranted({}, anonymous, 'READ')).toBe(false);
  });
});

describe('ACLs on buckets and objects', () => {
  it('records the owner; the default ACL is private; Get/PutBucketAcl round-trip', async () => {
    const { engine } = await aliceBucket();
    await expectS3Error(engine.createBucket('bucket', { owner: bob }), 'BucketAlreadyExists', { BucketName: 'bucket' });
    await expectS3Error(engine.createBucket('bucket', { owner: alice }), 'BucketAlreadyOwnedByYou');
    expect((await engine.headBucket('bucket')).owner).toEqual(alice);
    expect(await engine.getBucketAcl('bucket')).toEqual({ owner: alice, grants: cannedGrants('private', alice) });
    await engine.putBucketAcl('bucket', { canned: 'public-read' });
    expect((await engine.getBucketAcl('bucket')).grants).toEqual(cannedGrants('public-read', alice));
    expect(allowsAccess(await engine.getBucketAccess('bucket'), undefined, anonymous, 'READ')).toBe(true);
    expect(allowsAccess(await engine.getBucketAccess('bucket'), undefined, anonymous, 'WRITE')).toBe(false);
  });

  it('PutObject records the writer and its ACL; PutObjectAcl replaces the grants, not the bytes', async () => {
    const { engine } = await aliceBucket({ acl: { canned: 'public-read-write' } });
    await engine.putObject({ bucket: 'bucket', key: 'k', body: body('data'), owner: bob, acl: { canned: 'public-read' } });
    const acl = await engine.getObjectAcl('bucket', 'k');
    expect(acl.owner).toEqual(bob);
    expect(acl.grants).toEqual(cannedGrants('public-read', bob));
    const bucket = await engine.getBucketAccess('bucket');
    expect(allowsAccess(bucket, await engine.getObjectAccess('bucket', 'k'), anonymous, 'READ')).toBe(true);
    // The bucket owner gets nothing on bob's object unless granted (ObjectWriter, as AWS).
    expect(allowsAccess(bucket, await engine.getObjectAccess('bucket', 'k'), asAlice, 'READ_ACP')).toBe(false);
    await engine.putObjectAcl('bucket', 'k', { grants: [{ grantee: { type: 'CanonicalUser', id: alice.id }, permission: 'READ' }] });
    expect(allowsAccess(bucket, await engine.getObjectAccess('bucket', 'k'), asAlice, 'READ')).toBe(true);
    expect(allowsAccess(bucket, await engine.getObjectAccess('bucket', 'k'), anonymous, 'READ')).toBe(false);
    expect(await engine.getObjectAccess('bucket', 'absent')).toBeUndefined();
    await expectS3Error(engine.putObjectAcl('bucket', 'absent', { canned: 'private' }), 'NoSuchKey');
  });

  it('a multipart upload carries its ACL to the completed object; an engine without owners uses its default', async () => {
    const { engine } = await aliceBucket();
    const upload = await engine.createMultipartUpload({ bucket: 'bucket', key: 'mp', owner: bob, acl: { canned: 'authenticated-read' } });
    const part = await engine.uploadPart({ ...upload, partNumber: 1, body: body('abcd') });
    await engine.completeMultipartUpload({ ...upload, parts: [{ partNumber: 1, etag: part.etag }] });
    expect(await engine.getObjectAcl('bucket', 'mp')).toEqual({ owner: bob, grants: cannedGrants('authenticated-read', bob) });
    await engine.putObject({ bucket: 'bucket', key: 'plain', body: body('x') });
    expect((await engine.getObjectAcl('bucket', 'plain')).owner).toEqual(DEFAULT_OWNER);
  });
});

describe('ownership controls', () => {
  it('none until set (the bucket behaves as ObjectWriter); put, get, delete', async () => {
    const { engine } = await aliceBucket();
    await expectS3Error(engine.getBucketOwnershipControls('bucket'), 'OwnershipControlsNotFoundError', { BucketName: 'bucket' });
    expect((await engine.getBucketAccess('bucket')).ownership).toBe('ObjectWriter');
    await engine.putBucketOwnershipControls('bucket', 'BucketOwnerPreferred');
    expect(await engine.getBucketOwnershipControls('bucket')).toBe('BucketOwnerPreferred');
    await engine.deleteBucketOwnershipControls('bucket');
    await expectS3Error(engine.getBucketOwnershipControls('bucket'), 'OwnershipControlsNotFoundError');
  });

  it('BucketOwnerEnforced: ACL requests other than bucket-owner-full-control fail, the bucket owner owns every object, grants are ignored', async () => {
    const { engine } = await aliceBucket({ ownership: 'BucketOwnerEnforced' });
    await expectS3Error(engine.putObject({ bucket: 'bucket', key: 'k', body: body('x'), owner: bob, acl: { canned: 'public-read' } }), 'AccessControlListNotSupported');
    await expectS3Error(engine.headObject({ bucket: 'bucket', key: 'k' }), 'NoSuchKey');
    await expectS3Error(engine.createMultipartUpload({ bucket: 'bucket', key: 'k', owner: bob, acl: { canned: 'private' } }), 'AccessControlListNotSupported');
    await expectS3Error(engine.putBucketAcl('bucket', { canned: 'public-read' }), 'AccessControlListNotSupported');
    await engine.putObject({ bucket: 'bucket', key: 'k', body: body('x'), owner: bob, acl: { canned: 'bucket-owner-full-control' } });
    expect((await engine.getObjectAcl('bucket', 'k')).owner).toEqual(alice);
    await expectS3Error(engine.createBucket('other', { owner: alice, ownership: 'BucketOwnerEnforced', acl: { canned: 'public-read' } }), 'AccessControlListNotSupported');
  });

  it('BucketOwnerEnforced is refused over a bucket ACL that grants others (InvalidBucketAclWithObjectOwnership)', async () => {
    const { engine } = await aliceBucket({ acl: { canned: 'public-read' } });
    await expectS3Error(engine.putBucketOwnershipControls('bucket', 'BucketOwnerEnforced'), 'InvalidBucketAclWithObjectOwnership', { BucketName: 'bucket' });
    await expectS3Error(engine.getBucketOwnershipControls('bucket'), 'OwnershipControlsNotFoundError');
    await engine.putBucketAcl('bucket', { canned: 'private' });
    await engine.putBucketOwnershipControls('bucket', 'BucketOwnerEnforced');
    expect(await engine.getBucketOwnershipControls('bucket')).toBe('BucketOwnerEnforced');
  });

  it('BucketOwnerEnforced set after the fact makes existing public object grants inert', async () => {
    const { engine } = await aliceBucket();
    await engine.putObject({ bucket: 'bucket', key: 'k', body: body('x'), owner: alice, acl: { canned: 'public-read' } });
    const before = await engine.getObjectAccess('bucket', 'k');
    expect(allowsAccess(await engine.getBucketAccess('bucket'), before, anonymous, 'READ')).toBe(true);
    await engine.putBucketOwnershipControls('bucket', 'BucketOwnerEnforced');
    expect(allowsAccess(await engine.getBucketAccess('bucket'), before, anonymous, 'READ')).toBe(false);
    expect(allowsAccess(await engine.getBucketAccess('bucket'), before, asAlice, 'READ')).toBe(true);
  });

  it('BucketOwnerPreferred: bucket-owner-full-control hands the object to the bucket owner; other ACLs keep the writer', async () => {
    const { engine } = await aliceBucket({ ownership: 'BucketOwnerPreferred' });
    await engine.putObject({ bucket: 'bucket', key: 'given', body: body('x'), owner: bob, acl: { canned: 'bucket-owner-full-control' } });
    expect((await engine.getObjectAcl('bucket', 'given')).owner).toEqual(alice);
    await engine.putObject({ bucket: 'bucket', key: 'kept', body: body('x'), owner: bob, acl: { canned: 'private' } });
    expect((await engine.getObjectAcl('bucket', 'kept')).owner).toEqual(bob);
  });
});
