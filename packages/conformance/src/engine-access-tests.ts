import { expect } from 'vitest';
import { GROUP_URIS, allowsAccess } from '@mpu/core';
import type { Owner } from '@mpu/core';
import { type EngineSuiteContext, expectS3Error } from './engine-suite-context.js';

async function* bytes(text: string): AsyncIterable<Uint8Array> {
  yield Buffer.from(text);
}

const alice: Owner = { id: 'alice-canonical-id', displayName: 'alice' };
const bob: Owner = { id: 'bob-canonical-id', displayName: 'bob' };

/** Owners, ACLs, ownership controls and tags survive the backend's record round trip. */
export function accessTests({ test, withEngine }: EngineSuiteContext): void {
  test('engine/tagging-roundtrip', 'object tags (x-amz-tagging, Put/Delete) and bucket tags are stored and read back', () =>
    withEngine('small', async ({ engine, bucket }) => {
      await engine.putObject({ bucket, key: 'tagged', body: bytes('data'), tagging: 'team=st%C3%B6rage&empty=' });
      expect(await engine.getObjectTagging(bucket, 'tagged')).toEqual([{ key: 'team', value: 'störage' }, { key: 'empty', value: '' }]);
      expect((await engine.headObject({ bucket, key: 'tagged' })).object.tagCount).toBe(2);
      await engine.putObjectTagging(bucket, 'tagged', [{ key: 'a', value: 'b' }]);
      expect(await engine.getObjectTagging(bucket, 'tagged')).toEqual([{ key: 'a', value: 'b' }]);
      await expectS3Error(engine.putObjectTagging(bucket, 'tagged', [{ key: 'aws:x', value: '1' }]), 'InvalidTag');
      await engine.deleteObjectTagging(bucket, 'tagged');
      expect(await engine.getObjectTagging(bucket, 'tagged')).toEqual([]);
      await expectS3Error(engine.getBucketTagging(bucket), 'NoSuchTagSet');
      await engine.putBucketTagging(bucket, [{ key: 'cost-center', value: '42' }]);
      expect(await engine.getBucketTagging(bucket)).toEqual([{ key: 'cost-center', value: '42' }]);
      await engine.deleteBucketTagging(bucket);
      await expectS3Error(engine.getBucketTagging(bucket), 'NoSuchTagSet');
    }));

  test('engine/acl-owners', 'buckets and objects record owners and grants; canned ACLs of single and multipart writes apply', () =>
    withEngine('small', async ({ engine }) => {
      await engine.createBucket('acl-bucket', { owner: alice, acl: { canned: 'public-read' } });
      expect(await engine.getBucketAcl('acl-bucket')).toMatchObject({ owner: alice, grants: [{ permission: 'FULL_CONTROL' }, { grantee: { uri: GROUP_URIS.allUsers }, permission: 'READ' }] });
      await engine.putObject({ bucket: 'acl-bucket', key: 'public', body: bytes('x'), owner: bob, acl: { canned: 'public-read' } });
      await engine.putObject({ bucket: 'acl-bucket', key: 'private', body: bytes('x'), owner: bob });
      const upload = await engine.createMultipartUpload({ bucket: 'acl-bucket', key: 'mp', owner: bob, acl: { canned: 'public-read' } });
      const part = await engine.uploadPart({ ...upload, partNumber: 1, body: bytes('abcd') });
      await engine.completeMultipartUpload({ ...upload, parts: [{ partNumber: 1, etag: part.etag }] });
      const access = await engine.getBucketAccess('acl-bucket');
      const anonymous = { kind: 'anonymous' } as const;
      for (const key of ['public', 'mp']) {
        expect(allowsAccess(access, await engine.getObjectAccess('acl-bucket', key), anonymous, 'READ'), key).toBe(true);
        expect((await engine.getObjectAcl('acl-bucket', key)).owner).toEqual(bob);
      }
      expect(allowsAccess(access, await engine.getObjectAccess('acl-bucket', 'private'), anonymous, 'READ')).toBe(false);
      await engine.putObjectAcl('acl-bucket', 'private', { canned: 'public-read' });
      expect(allowsAccess(access, await engine.getObjectAccess('acl-bucket', 'private'), anonymous, 'READ')).toBe(true);
      const listed = await engine.listObjects({ bucket: 'acl-bucket' });
      expect(listed.objects.map((o) => o.owner?.id)).toEqual([bob.id, bob.id, bob.id]);
    }));

  test('engine/ownership-controls', 'BucketOwnerEnforced refuses ACLs and gives the bucket owner every new object', () =>
    withEngine('small', async ({ engine }) => {
      await engine.createBucket('owned', { owner: alice });
      await expectS3Error(engine.getBucketOwnershipControls('owned'), 'OwnershipControlsNotFoundError');
      await engine.putBucketOwnershipControls('owned', 'BucketOwnerEnforced');
      expect(await engine.getBucketOwnershipControls('owned')).toBe('BucketOwnerEnforced');
      await expectS3Error(engine.putObject({ bucket: 'owned', key: 'k', body: bytes('x'), owner: bob, acl: { canned: 'public-read' } }), 'AccessControlListNotSupported');
      await engine.putObject({ bucket: 'owned', key: 'k', body: bytes('x'), owner: bob });
      expect((await engine.getObjectAcl('owned', 'k')).owner).toEqual(alice);
      await engine.deleteBucketOwnershipControls('owned');
      await expectS3Error(engine.getBucketOwnershipControls('owned'), 'OwnershipControlsNotFoundError');
    }));
}
