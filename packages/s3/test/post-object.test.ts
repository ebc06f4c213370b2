import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore, MultipartEngine } from '@mpu/core';
import { startS3Server } from '../src/index.js';
import type { RunningS3Server } from '../src/index.js';
import { createScope, deriveSigningKey, formatAmzDate, hmacHex } from '../src/sigv4.js';
import { ACCESS_KEY, SECRET_KEY, errorCode, send } from './signed-client.js';

let server: RunningS3Server;
let endpoint: string;
const BUCKET = 'post-b';

interface FormOptions {
  readonly conditions?: unknown[];
  readonly expiration?: Date;
  readonly fields?: Record<string, string>;
  readonly secret?: string;
  /** Appended after the file (S3 ignores them). */
  readonly after?: Record<string, string>;
  readonly file?: Uint8Array | null;
  readonly filename?: string;
  readonly policy?: string;
}

/** A browser-style POST form signed as the SDK's createPresignedPost signs it. */
function signedForm(options: FormOptions): FormData {
  const date = new Date();
  const amzDate = formatAmzDate(date);
  const credential = `${ACCESS_KEY}/${createScope(amzDate.slice(0, 8), 'us-east-1')}`;
  const signing = { 'x-amz-algorithm': 'AWS4-HMAC-SHA256', 'x-amz-credential': credential, 'x-amz-date': amzDate };
  const fields: Record<string, string> = { key: 'uploads/${filename}', ...options.fields };
  const conditions = options.conditions ?? [
    { bucket: BUCKET },
    ...Object.entries({ ...fields, ...signing }).map(([name, value]) => (name === 'key' ? ['starts-with', '$key', 'uploads/'] : { [name]: value })),
  ];
  const policy = options.policy ?? Buffer.from(JSON.stringify({
    expiration: (options.expiration ?? new Date(date.getTime() + 60_000)).toISOString(),
    conditions,
  })).toString('base64');
  const signature = hmacHex(deriveSigningKey(options.secret ?? SECRET_KEY, amzDate.slice(0, 8), 'us-east-1'), policy);
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...fields, ...signing, policy, 'x-amz-signature': signature })) form.append(name, value);
  if (options.file !== null) form.append('file', new Blob([options.file ?? Buffer.from('hello post')]), options.filename ?? 'hello.txt');
  for (const [name, value] of Object.entries(options.after ?? {})) form.append(name, value);
  return form;
}

function post(form: FormData): Promise<Response> {
  return fetch(`${endpoint}/${BUCKET}`, { method: 'POST', body: form, redirect: 'manual' });
}

async function expectRefused(res: Response, status: number, code: string, message?: string): Promise<string> {
  const text = await res.text();
  expect([res.status, errorCode(text)]).toEqual([status, code]);
  if (message !== undefined) expect(text).toContain(`<Message>${message}</Message>`);
  return text;
}

async function objectStatus(key: string): Promise<number> {
  return (await send(endpoint, { method: 'HEAD', url: `/${BUCKET}/${key}` })).status;
}

beforeAll(async () => {
  server = await startS3Server({
    engine: new MultipartEngine({ store: new MemoryStore() }),
    credentials: [{ accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }],
  });
  endpoint = server.url;
  expect((await send(endpoint, { method: 'PUT', url: `/${BUCKET}` })).status).toBe(200);
});

afterAll(async () => {
  await server.close();
});

describe('PostObject (browser form uploads)', () => {
  it('stores the file under the key with ${filename}, Content-Type and metadata; 204 by default', async () => {
    const res = await post(signedForm({ fields: { 'Content-Type': 'text/plain', 'x-amz-meta-owner': 'ann' }, filename: 'a b.txt' }));
    expect(res.status).toBe(204);
    expect(res.headers.get('etag')).toBe(`"${createHash('md5').update('hello post').digest('hex')}"`);
    expect(res.headers.get('location')).toBe(`${endpoint}/${BUCKET}/uploads/a%20b.txt`);
    const got = await send(endpoint, { method: 'GET', url: `/${BUCKET}/uploads/a%20b.txt` });
    expect([got.status, got.text, got.headers['content-type'], got.headers['x-amz-meta-owner']]).toEqual([200, 'hello post', 'text/plain', 'ann']);
  });

  it('answers 201 with a PostResponse document, or 200 empty, as success_action_status asks', async () => {
    const created = await post(signedForm({ fields: { key: 'uploads/201', success_action_status: '201' } }));
    expect(created.status).toBe(201);
    const etag = created.headers.get('etag')!;
    expect(await created.text()).toContain(`<PostResponse xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Location>${endpoint}/${BUCKET}/uploads/201</Location><Bucket>${BUCKET}</Bucket><Key>uploads/201</Key><ETag>${etag}</ETag></PostResponse>`);
    const ok = await post(signedForm({ fields: { key: 'uploads/200', success_action_status: '200' } }));
    expect([ok.status, await ok.text()]).toEqual([200, '']);
  });

  it('redirects with 303 to success_action_redirect with bucket, key and etag', async () => {
    const res = await post(signedForm({ fields: { key: 'uploads/r', success_action_redirect: 'http://127.0.0.1:1/done?x=1' } }));
    expect(res.status).toBe(303);
    const etag = `"${createHash('md5').update('hello post').digest('hex')}"`;
    expect(res.headers.get('location')).toBe(`http://127.0.0.1:1/done?x=1&bucket=${BUCKET}&key=uploads%2Fr&etag=${encodeURIComponent(etag)}`);
  });

  it('streams a large file and ignores fields after the file', async () => {
    const file = Buffer.alloc(6 * 1024 * 1024 + 123);
    for (let i = 0; i < file.length; i += 4096) file[i] = i % 251;
    const res = await post(signedForm({ fields: { key: 'uploads/big' }, file, after: { 'x-amz-meta-late': 'ignored' } }));
    expect(res.status).toBe(204);
    const got = await send(endpoint, { method: 'GET', url: `/${BUCKET}/uploads/big` });
    expect(createHash('sha256').update(got.body).digest('hex')).toBe(createHash('sha256').update(file).digest('hex'));
    expect(got.headers['x-amz-meta-late']).toBeUndefined();
  });

  it('verifies an x-amz-checksum-* field against the file', async () => {
    const good = createHash('sha256').update('hello post').digest('base64');
    const ok = await post(signedForm({ fields: { key: 'uploads/sum', 'x-amz-checksum-sha256': good } }));
    expect(ok.status).toBe(204);
    const bad = createHash('sha256').update('other').digest('base64');
    await expectRefused(await post(signedForm({ fields: { key: 'uploads/badsum', 'x-amz-checksum-sha256': bad } })), 400, 'BadDigest');
    expect(await objectStatus('uploads/badsum')).toBe(404);
  });

  it.each([
    ['a failed starts-with', { fields: { key: 'elsewhere/x' } }, 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "uploads/"]'],
    ['a failed exact match', { conditions: [{ bucket: 'other-bucket' }] }, 'Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "other-bucket"]'],
    ['an expired policy', { expiration: new Date(Date.now() - 1000) }, 'Invalid according to Policy: Policy expired.'],
  ])('refuses %s with 403 AccessDenied and stores nothing', async (_what, options, message) => {
    const form = signedForm(options);
    await expectRefused(await post(form), 403, 'AccessDenied', message);
    expect(await objectStatus(String(form.get('key')).replace('${filename}', 'hello.txt'))).toBe(404);
  });

  it('refuses a field the policy does not cover', async () => {
    const form = signedForm({ conditions: [{ bucket: BUCKET }, ['starts-with', '$key', ''], ['starts-with', '$x-amz-credential', ''], ['starts-with', '$x-amz-algorithm', ''], ['starts-with', '$x-amz-date', '']], fields: { 'x-amz-meta-extra': '1', 'x-ignore-me': '1' } });
    const res = await post(form);
    // The small rest of a refused form is read first, so the connection stays usable.
    expect(res.headers.get('connection')).not.toBe('close');
    await expectRefused(res, 403, 'AccessDenied', 'Invalid according to Policy: Extra input fields: x-amz-meta-extra');
  });

  it('refuses a wrong signature, an unknown key, a missing field and a broken policy', async () => {
    await expectRefused(await post(signedForm({ secret: 'wrong' })), 403, 'SignatureDoesNotMatch');
    const noKey = signedForm({});
    noKey.delete('key');
    await expectRefused(await post(noKey), 400, 'InvalidArgument', 'Bucket POST must contain a field named \'key\'.  If it is specified, please check the order of the fields.');
    const noCredential = signedForm({});
    noCredential.delete('x-amz-credential');
    await expectRefused(await post(noCredential), 400, 'InvalidArgument');
    await expectRefused(await post(signedForm({ policy: Buffer.from('{not json').toString('base64') })), 400, 'InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.');
    await expectRefused(await post(signedForm({ policy: Buffer.from('{"conditions":[]}').toString('base64') })), 400, 'InvalidPolicyDocument', 'Invalid Policy: Policy missing expiration.');
    const anonymous = new FormData();
    anonymous.append('key', 'uploads/anon');
    anonymous.append('file', new Blob(['x']), 'x');
    await expectRefused(await post(anonymous), 403, 'AccessDenied');
    expect(await objectStatus('uploads/anon')).toBe(404);
  });

  it('enforces content-length-range while the file streams', async () => {
    const range = (min: number, max: number): unknown[] => [{ bucket: BUCKET }, ['starts-with', '$key', 'uploads/'], ['starts-with', '$x-amz-credential', ''], ['starts-with', '$x-amz-algorithm', ''], ['starts-with', '$x-amz-date', ''], ['content-length-range', min, max]];
    const largeRes = await post(signedForm({ fields: { key: 'uploads/large' }, conditions: range(1, 1024), file: Buffer.alloc(300_000) }));
    expect(largeRes.headers.get('connection')).not.toBe('close');
    const large = await expectRefused(largeRes, 400, 'EntityTooLarge');
    expect(large).toContain('<MaxSizeAllowed>1024</MaxSizeAllowed>');
    expect(await objectStatus('uploads/large')).toBe(404);
    const small = await expectRefused(await post(signedForm({ fields: { key: 'uploads/small' }, conditions: range(100, 1024), file: Buffer.alloc(10) })), 400, 'EntityTooSmall');
    expect(small).toContain('<ProposedSize>10</ProposedSize><MinSizeAllowed>100</MinSizeAllowed>');
    expect(await objectStatus('uploads/small')).toBe(404);
    expect((await post(signedForm({ fields: { key: 'uploads/fits' }, conditions: range(10, 10), file: Buffer.alloc(10) }))).status).toBe(204);
  });

  it('answers a form without a file, and a body that is not multipart, with the S3 errors', async () => {
    await expectRefused(await post(signedForm({ file: null })), 400, 'IncorrectNumberOfFilesInPostRequest');
    const broken = await fetch(`${endpoint}/${BUCKET}`, { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: 'key=x' });
    await expectRefused(broken, 400, 'MalformedPOSTRequest');
  });
});
