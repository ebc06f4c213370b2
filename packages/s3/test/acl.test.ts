import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, MultipartEngine } from '@mpu/core';
import { startS3Server } from '../src/index.js';
import type { RunningS3Server } from '../src/index.js';

const SCRIPT = fileURLToPath(new URL('./fixtures/acl-scenarios.mjs', import.meta.url));
const ALICE = { accessKeyId: 'ALICEKEY', secretAccessKey: 'alice-secret', canonicalId: 'alice-id', displayName: 'Alice' };
const BOB = { accessKeyId: 'BOBKEY', secretAccessKey: 'bob-secret', id: 'bob-id' };

let server: RunningS3Server;
let result: Record<string, unknown>;

beforeAll(async () => {
  server = await startS3Server({ engine: new MultipartEngine({ store: new MemoryStore() }), credentials: [ALICE, BOB] });
  result = await runAclScenario();
});

afterAll(async () => {
  await server.close();
});

function runAclScenario(): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [SCRIPT, server.url, ALICE.accessKeyId, ALICE.secretAccessKey, BOB.accessKeyId, BOB.secretAccessKey], {
      env: { ...process.env, NODE_OPTIONS: '', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
      timeout: 50_000,
    }, (error, stdout, stderr) => {
      if (error !== null && stdout === '') return reject(new Error(`${error.message}\n${stderr}`));
      const parsed = JSON.parse(stdout) as { ok: boolean; result?: Record<string, unknown>; message?: string; stack?: string; partial?: unknown };
      if (!parsed.ok) return reject(new Error(`ACL scenario failed: ${parsed.message}\n${parsed.stack}\n${JSON.stringify(parsed.partial)}`));
      resolve(parsed.result ?? {});
    });
  });
}

describe('ACLs, owners, anonymous access, ownership controls and tagging with @aws-sdk/client-s3', () => {
  it('applies grants per owner and to unsigned requests, exactly where an ACL grants them', () => {
    const r = result;
    // Owners per credential.
    expect(r.buckets).toEqual({ ID: 'alice-id', DisplayName: 'Alice' });
    expect(r.aliceBuckets).toEqual(['acl-sdk']);
    expect(r.bobBuckets).toEqual(['bob-only']);
    expect(r.bobTakesAlicesName).toBe('409 BucketAlreadyExists');
    expect(r.objectAcl).toEqual({
      owner: { ID: 'alice-id', DisplayName: 'Alice' },
      grants: [
        { type: 'CanonicalUser', id: 'alice-id', permission: 'FULL_CONTROL' },
        { type: 'Group', uri: 'http://acs.amazonaws.com/groups/global/AllUsers', permission: 'READ' },
      ],
    });
    // Anonymous: only what AllUsers was granted.
    expect(r.anonGetPublic).toMatchObject({ status: 200, text: 'hello public' });
    expect(r.anonGetPrivate).toBe('AccessDenied');
    expect(r.anonGetMissing).toBe('AccessDenied');
    expect(r.anonPut).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(r.anonList).toBe('AccessDenied');
    expect(r.anonListBuckets).toBe('AccessDenied');
    // Another owner: ACLs apply.
    expect(r.bobGetPrivate).toBe('403 AccessDenied');
    expect(r.bobPut).toBe('403 AccessDenied');
    expect(r.bobGetPublic).toBe('hello public');
    expect(r.bobGetGranted).toBe('hello private');
    expect(r.bobGetAclDenied).toBe('403 AccessDenied');
    expect(r.emailGrant).toBe('400 UnresolvableGrantByEmailAddress');
    expect(r.badCanned).toBe('400 InvalidArgument');
    expect(r.anonGetAfterGrant).toBe(200);
    expect(r.bucketAcl).toEqual(['alice-id:FULL_CONTROL', 'http://acs.amazonaws.com/groups/global/AllUsers:READ', 'http://acs.amazonaws.com/groups/global/AllUsers:WRITE']);
    expect(r.listOwners).toEqual(['bob.txt:bob-id', 'private.txt:alice-id', 'public.txt:alice-id']);
    expect(r.aliceReadsBobsObject).toBe('403 AccessDenied');
    expect(r.anonPutPublicBucket).toBe(200);
    expect(r.anonGetMultipart).toBe('multipart bytes');
    expect(r.multipartTags).toEqual([{ Key: 'kind', Value: 'multipart' }]);
  });

  it('tags objects and buckets with the S3 limits, and enforces ownership controls', () => {
    const r = result;
    expect(r.tagCount).toBe(2);
    expect(r.tags).toEqual([{ Key: 'team', Value: 'storage' }, { Key: 'tier', Value: 'hot' }]);
    expect(r.tagsAfterPut).toEqual([{ Key: 'a b', Value: 'c/d' }]);
    expect(r.tooManyTags).toBe('400 InvalidTag');
    expect(r.awsPrefix).toBe('400 InvalidTag');
    expect(r.copyTags).toEqual([{ Key: 'copied', Value: 'yes' }]);
    expect(r.tagsAfterDelete).toEqual([]);
    expect(r.noBucketTags).toBe('404 NoSuchTagSet');
    expect(r.bucketTags).toEqual([{ Key: 'cost', Value: '42' }]);
    expect(r.bobBucketTags).toBe('403 AccessDenied');
    expect(r.noControls).toBe('404 OwnershipControlsNotFoundError');
    expect(r.controls).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
    expect(r.enforcedAcl).toBe('400 AccessControlListNotSupported');
    expect(r.enforcedOwnerFull).toBe('succeeded');
    // ACLs are ignored while enforced: the public-read multipart object is private, then public again.
    expect(r.anonGetEnforced).toBe('AccessDenied');
    expect(r.anonGetRestored).toBe(200);
  });
});
