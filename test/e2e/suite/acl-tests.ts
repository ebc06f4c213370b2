import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { aws, awsJson } from '../harness/aws-cli.js';
import { runJsonScript } from '../harness/client-scripts.js';
import { E2E_CREDENTIALS } from '../harness/mpu-server.js';
import { DEBIAN_PYTHON, FIXTURES_DIR, requireFile } from '../harness/paths.js';

/** An unsigned request, as a browser or `curl` sends it: status, error code and body. */
async function anonymous(url: string, init: RequestInit = {}): Promise<{ status: number; code?: string; text: string }> {
  const res = await fetch(url, init);
  const text = await res.text();
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  return { status: res.status, ...(code === undefined ? {} : { code }), text };
}

/**
 * ACLs and tagging through the real clients: `aws s3 cp --acl public-read` makes an object
 * readable by unsigned requests (and nothing else), `put-object-acl`/`get-object-acl`, the
 * tagging commands, and the same through boto3.
 */
export function defineAclTests(endpoint: () => string, bucketPrefix: string): void {
  let dir: string;
  const bucket = `${bucketPrefix}-acl`;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mpu-e2e-acl-'));
    await writeFile(join(dir, 'page.html'), '<h1>published</h1>');
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const s3api = <T = Record<string, unknown>>(...args: string[]) => awsJson<T>(endpoint(), ['s3api', ...args], dir);

  // Each aws CLI run is a Python start-up (1–3 s on a loaded 2-core machine): hence the timeouts.
  it('aws CLI: cp --acl public-read is readable unsigned, unsigned PUT is refused, put/get-object-acl', async () => {
    expect((await aws(endpoint(), ['s3', 'mb', `s3://${bucket}`])).code).toBe(0);
    const cp = await aws(endpoint(), ['s3', 'cp', 'page.html', `s3://${bucket}/site/page.html`, '--acl', 'public-read', '--only-show-errors'], { cwd: dir });
    expect(cp).toMatchObject({ code: 0, stderr: '' });
    const url = `${endpoint()}/${bucket}/site/page.html`;
    expect(await anonymous(url)).toMatchObject({ status: 200, text: '<h1>published</h1>' });
    expect(await anonymous(`${endpoint()}/${bucket}/site/intruder.html`, { method: 'PUT', body: 'defaced' })).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(await anonymous(url, { method: 'PUT', body: 'defaced' })).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(await anonymous(url)).toMatchObject({ status: 200, text: '<h1>published</h1>' });
    expect((await anonymous(`${endpoint()}/${bucket}`)).code).toBe('AccessDenied');

    const acl = await s3api<{ Owner: { ID: string }; Grants: { Grantee: { URI?: string; ID?: string }; Permission: string }[] }>(
      'get-object-acl', '--bucket', bucket, '--key', 'site/page.html');
    expect(acl.Owner.ID).toBe(E2E_CREDENTIALS.accessKeyId);
    expect(acl.Grants.map((g) => `${g.Grantee.URI ?? g.Grantee.ID}:${g.Permission}`)).toEqual([
      `${E2E_CREDENTIALS.accessKeyId}:FULL_CONTROL`, 'http://acs.amazonaws.com/groups/global/AllUsers:READ',
    ]);
    expect((await aws(endpoint(), ['s3api', 'put-object-acl', '--bucket', bucket, '--key', 'site/page.html', '--acl', 'private'])).code).toBe(0);
    expect(await anonymous(url)).toMatchObject({ status: 403, code: 'AccessDenied' });
  }, 120_000);

  it('aws CLI: put-object --tagging, put-object-tagging, get-object-tagging, InvalidTag', async () => {
    await s3api('put-object', '--bucket', bucket, '--key', 'tagged.txt', '--body', 'page.html', '--tagging', 'team=storage&stage=e2e');
    expect((await s3api<{ TagSet: unknown[] }>('get-object-tagging', '--bucket', bucket, '--key', 'tagged.txt')).TagSet).toEqual([
      { Key: 'team', Value: 'storage' }, { Key: 'stage', Value: 'e2e' },
    ]);
    await s3api('put-object-tagging', '--bucket', bucket, '--key', 'tagged.txt', '--tagging', 'TagSet=[{Key=only,Value=one}]');
    expect((await s3api<{ TagSet: unknown[] }>('get-object-tagging', '--bucket', bucket, '--key', 'tagged.txt')).TagSet).toEqual([{ Key: 'only', Value: 'one' }]);
    const tooMany = await aws(endpoint(), ['s3api', 'put-object-tagging', '--bucket', bucket, '--key', 'tagged.txt', '--tagging',
      `TagSet=[${Array.from({ length: 11 }, (_, i) => `{Key=k${i},Value=v}`).join(',')}]`]);
    expect(tooMany.code).not.toBe(0);
    expect(tooMany.stderr).toMatch(/\(InvalidTag\).*Object tags cannot be greater than 10/);
  }, 120_000);

  it('boto3: ACL=public-read with Tagging, put_object_acl private, get_object_acl, tagging round trip', async () => {
    const python = requireFile(DEBIAN_PYTHON, "Debian's python3 (apt-get install python3-boto3)");
    const r = await runJsonScript<Record<string, unknown>>(python, [join(FIXTURES_DIR, 'boto3_acl.py'), endpoint(),
      E2E_CREDENTIALS.accessKeyId, E2E_CREDENTIALS.secretAccessKey, `${bucketPrefix}-boto3-acl`], 60_000);
    expect(r).toEqual({
      owner: { ID: E2E_CREDENTIALS.accessKeyId, DisplayName: E2E_CREDENTIALS.accessKeyId },
      grants: [
        { grantee: E2E_CREDENTIALS.accessKeyId, permission: 'FULL_CONTROL' },
        { grantee: 'http://acs.amazonaws.com/groups/global/AllUsers', permission: 'READ' },
      ],
      flippedGrants: ['FULL_CONTROL'],
      tags: [{ Key: 'origin', Value: 'boto3' }, { Key: 'kind', Value: 'acl' }],
      replaced: [{ Key: 'replaced', Value: 'yes' }],
      tagCount: 1,
      invalidTag: 'InvalidTag',
    });
    const base = `${endpoint()}/${bucketPrefix}-boto3-acl`;
    expect(await anonymous(`${base}/public.txt`)).toMatchObject({ status: 200, text: 'boto3 public' });
    expect(await anonymous(`${base}/flipped.txt`)).toMatchObject({ status: 403, code: 'AccessDenied' });
  }, 120_000);
}
