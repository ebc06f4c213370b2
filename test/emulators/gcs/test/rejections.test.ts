import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGcsTestServer, type GcsTestServer } from '../src/index.js';
import { api, type JsonBody, multipartBody, reasonOf, trickle } from './api.js';

// Each case names the Google documentation it follows. JSON API reference:
// https://cloud.google.com/storage/docs/json_api/v1/objects (insert, get, patch, delete, list, compose).

let server: GcsTestServer;
const B = 'strict';
const o = (name: string): string => `/storage/v1/b/${B}/o/${encodeURIComponent(name)}`;

async function put(name: string, body: string | Uint8Array, query = ''): Promise<JsonBody> {
  const response = await api(server, 'POST', `/upload/storage/v1/b/${B}/o?uploadType=media&name=${encodeURIComponent(name)}${query}`, { body });
  expect(response.status, response.text).toBe(200);
  return response.json;
}

beforeAll(async () => {
  server = await startGcsTestServer({ buckets: [B] });
});
afterAll(() => server.close());

describe('object names (docs: storage/docs/objects#naming — 1–1024 bytes UTF-8, no CR or LF)', () => {
  it('accepts a name of exactly 1024 bytes and rejects 1025 bytes with 400', async () => {
    await put('n'.repeat(1024), 'x');
    const tooLong = await api(server, 'POST', `/upload/storage/v1/b/${B}/o?uploadType=media&name=${'n'.repeat(1025)}`, { body: 'x' });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json.error.code).toBe(400);
  });

  it('counts bytes, not characters: 342 three-byte characters (1026 bytes) are too long', async () => {
    const response = await api(server, 'POST', `/upload/storage/v1/b/${B}/o?uploadType=media&name=${encodeURIComponent('\u20ac'.repeat(342))}`, { body: 'x' });
    expect(response.status).toBe(400);
  });

  it('rejects carriage return and line feed in names, on upload and on GET', async () => {
    for (const name of ['a\rb', 'a\nb']) {
      expect((await api(server, 'POST', `/upload/storage/v1/b/${B}/o?uploadType=media&name=${encodeURIComponent(name)}`, { body: 'x' })).status).toBe(400);
      expect((await api(server, 'GET', o(name))).status).toBe(400);
    }
  });

  it('rejects "." and ".." and names under .well-known/acme-challenge/', async () => {
    for (const name of ['.', '..', '.well-known/acme-challenge/x']) {
      expect((await api(server, 'POST', `/upload/storage/v1/b/${B}/o?uploadType=media&name=${encodeURIComponent(name)}`, { body: 'x' })).status, name).toBe(400);
    }
  });

  it('rejects a path segment that is not valid percent-encoded UTF-8', async () => {
    expect((await api(server, 'GET', `/storage/v1/b/${B}/o/%FF`)).status).toBe(400);
  });

  it('decodes each path segment after splitting: a%2Fb names "a/b"', async () => {
    await put('a/b', 'slash');
    const response = await api(server, 'GET', `/storage/v1/b/${B}/o/a%2Fb`);
    expect(response.json.name).toBe('a/b');
  });
});

describe('uploads (docs: json_api/v1/how-tos/upload, multipart and resumable uploads)', () => {
  it('rejects an unknown uploadType and an upload without one (400)', async () => {
    const unknown = await api(server, 'POST', `/upload/storage/v1/b/${B}/o?uploadType=chunked&name=x`, { body: 'x' });
    expect(unknown.status).toBe(400);
    const missing = await api(server, 'POST', `/upload/storage/v1/b/${B}/o?name=x`, { body: 'x' });
    expect(missing.status).toBe(400);
    // Media must go to the /upload/ URL; the metadata-only path refuses it.
    expect((await api(server, 'POST', `/storage/v1/b/${B}/o?uploadType=media&name=x`, { body: 'x' })).status).toBe(400);
  });

  it('rejects malformed JSON metadata with 400 parseError', async () => {
    const body = Buffer.concat([
      Buffer.from('--b\r\nContent-Type: application/json\r\n\r\n{"name": \r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--'),
    ]);
    const response = await api(server, 'POST', `/upload/storage/v1/b/${B}/o?uploadType=multipart`, {
      headers: { 'Content-Type': 'multipart/related; boundary=b' }, body,
    });
    expect(response.status).toBe(400);
    expect(reasonOf(response)).toBe('parseError');
    const resumable = await api(server, 'POST', `/upload/storage/v1/b/${B}/o?uploadType=resumable&name=j`, {
      headers: { 'Content-Type': 'application/json' }, body: '{nope',
    });
    expect(resumable.status).toBe(400);
    expect(reasonOf(resumable)).toBe('parseError');
  });

  it('parses multipart/related streamed in 7-byte pieces (delimiters split across reads)', async () => {
    const media = randomBytes(50_000);
    const body = multipartBody('sep_1234', { name: 'mp/streamed', contentType: 'image/png', metadata: { a: '1' } }, media);
    const response = await api(server, 'POST', `/upload/storage/v1/b/${B}/o?uploadType=multipart`, {
      headers: { 'Content-Type': 'multipart/related; boundary=sep_1234' }, body: trickle(body, 7),
    });
    expect(response.status, response.text).toBe(200);
    expect(response.json).toMatchObject({ name: 'mp/streamed', size: '50000', contentType: 'image/png', metadata: { a: '1' } });
    const back = await fetch(`${server.url}${o('mp/streamed')}?alt=media`);
    expect(Buffer.from(await back.arrayBuffer()).equals(media)).toBe(true);
  });

  it('rejects multipart bodies that are not exactly metadata + media, or lack a boundary', async () => {
    const noMedia = '--b\r\nContent-Type: application/json\r\n\r\n{"name":"x"}\r\n--b--';
    const three = `${multipartBody('b', { name: 'x' }, 'one').toString().replace(/--$/, '')}\r\nContent-Type: text/plain\r\n\r\nextra\r\n--b--`;
    const truncated = multipartBody('b', { name: 'x' }, 'one').subarray(0, -8);
    for (const body of [noMedia, three, truncated]) {
      const response = await api(server, 'POST', `/upload/storage/v1/b/${B}/o?uploadType=multipart`, {
        headers: { 'Content-Type': 'multipart/related; boundary=b' }, body,
      });
      expect(response.status).toBe(400);
    }
    const noBoundary = await api(server, 'POST', `/upload/storage/v1/b/${B}/o?uploadType=multipart`, {
      headers: { 'Content-Type': 'multipart/related' }, body: noMedia,
    });
    expect(noBoundary.status).toBe(400);
    expect((await api(server, 'GET', o('x'))).status).toBe(404);
  });

  it('resumable: 308 without Range before any byte, 308 with Range after a chunk, 400 for a non-final chunk that is not a multiple of 256 KiB', async () => {
    const start = await api(server, 'POST', `/upload/storage/v1/b/${B}/o?uploadType=resumable&name=res`, {
      headers: { 'Content-Type': 'application/json' }, body: '{}',
    });
    expect(start.status).toBe(200);
    const session = start.headers.get('location')!;
    expect(session).toMatch(new RegExp(`^${server.url}/upload/storage/v1/b/${B}/o\\?.*upload_id=`));
    const path = session.slice(server.url.length);
    const status = await api(server, 'PUT', path, { headers: { 'Content-Range': 'bytes */*' } });
    expect(status.status).toBe(308);
    expect(status.headers.get('range')).toBeNull();
    const chunk = randomBytes(256 * 1024);
    const first = await api(server, 'PUT', path, { headers: { 'Content-Range': `bytes 0-${chunk.length - 1}/*` }, body: chunk });
    expect(first.status).toBe(308);
    expect(first.headers.get('range')).toBe(`bytes=0-${chunk.length - 1}`);
    const odd = await api(server, 'PUT', path, { headers: { 'Content-Range': `bytes ${chunk.length}-${chunk.length + 9}/*` }, body: randomBytes(10) });
    expect(odd.status).toBe(400);
    // A body shorter than its Content-Range says is refused and persists nothing.
    const short = await api(server, 'PUT', path, { headers: { 'Content-Range': `bytes ${chunk.length}-${chunk.length + 99}/${chunk.length + 100}` }, body: randomBytes(5) });
    expect(short.status).toBe(400);
    const last = randomBytes(5);
    const done = await api(server, 'PUT', path, { headers: { 'Content-Range': `bytes ${chunk.length}-${chunk.length + 4}/${chunk.length + 5}` }, body: last });
    expect(done.status).toBe(200);
    expect(done.json.size).toBe(String(chunk.length + 5));
    // A PUT to a completed session returns the object again.
    const again = await api(server, 'PUT', path, { headers: { 'Content-Range': 'bytes */*' } });
    expect(again.status).toBe(200);
    expect(again.json.generation).toBe(done.json.generation);
  });

  it('resumable: re-sent bytes before the persisted offset are skipped; a DELETE cancels the session with 499', async () => {
    const start = await api(server, 'POST', `/upload/storage/v1/b/${B}/o?uploadType=resumable&name=res2`, { body: '' });
    const path = start.headers.get('location')!.slice(server.url.length);
    const a = randomBytes(256 * 1024);
    await api(server, 'PUT', path, { headers: { 'Content-Range': `bytes 0-${a.length - 1}/*` }, body: a });
    const b = randomBytes(100);
    const overlap = Buffer.concat([a.subarray(a.length - 10), b]);
    const done = await api(server, 'PUT', path, {
      headers: { 'Content-Range': `bytes ${a.length - 10}-${a.length + 99}/${a.length + 100}` }, body: overlap,
    });
    expect(done.status).toBe(200);
    expect(done.json.size).toBe(String(a.length + 100));
    const other = await api(server, 'POST', `/upload/storage/v1/b/${B}/o?uploadType=resumable&name=res3`, { body: '' });
    const otherPath = other.headers.get('location')!.slice(server.url.length);
    expect((await api(server, 'DELETE', otherPath)).status).toBe(499);
    expect((await api(server, 'PUT', otherPath, { headers: { 'Content-Range': 'bytes */*' } })).status).toBe(404);
  });

  it('checks hashes the client supplies (X-Goog-Hash, or crc32c/md5Hash in metadata) and stores nothing on a mismatch (docs: storage/docs/data-validation)', async () => {
    const good = await api(server, 'POST', `/upload/storage/v1/b/${B}/o?uploadType=media&name=h/good`, {
      headers: { 'X-Goog-Hash': 'crc32c=yZRlqg==,md5=XrY7u+Ae7tCTyyK7j1rNww==' }, body: 'hello world',
    });
    expect(good.status).toBe(200);
    const badCrc = await api(server, 'POST', `/upload/storage/v1/b/${B}/o?uploadType=media&name=h/bad`, {
      headers: { 'X-Goog-Hash': 'crc32c=AAAAAA==' }, body: 'hello world',
    });
    expect(badCrc.status).toBe(400);
    const badMd5 = await api(server, 'POST', `/upload/storage/v1/b/${B}/o?uploadType=multipart`, {
      headers: { 'Content-Type': 'multipart/related; boundary=z' },
      body: multipartBody('z', { name: 'h/bad', md5Hash: 'AAAAAAAAAAAAAAAAAAAAAA==' }, 'hello world'),
    });
    expect(badMd5.status).toBe(400);
    expect((await api(server, 'GET', o('h/bad'))).status).toBe(404);
  });

  it('resumable finalize checks the preconditions given when the session started (412)', async () => {
    await put('taken', 'x');
    const start = await api(server, 'POST', `/upload/storage/v1/b/${B}/o?uploadType=resumable&name=taken&ifGenerationMatch=0`, { body: '{}' });
    const path = start.headers.get('location')!.slice(server.url.length);
    const response = await api(server, 'PUT', path, { headers: { 'Content-Range': 'bytes 0-2/3' }, body: 'abc' });
    expect(response.status).toBe(412);
    expect(reasonOf(response)).toBe('conditionNotMet');
  });
});

describe('preconditions (docs: storage/docs/request-preconditions)', () => {
  it('ifGenerationMatch=0 succeeds only when no live object exists; a mismatch is 412 conditionNotMet', async () => {
    await put('p/zero', 'one', '&ifGenerationMatch=0');
    const again = await api(server, 'POST', `/upload/storage/v1/b/${B}/o?uploadType=media&name=p/zero&ifGenerationMatch=0`, { body: 'two' });
    expect(again.status).toBe(412);
    expect(again.json).toMatchObject({ error: { code: 412, errors: [{ reason: 'conditionNotMet' }] } });
    const absent = await api(server, 'POST', `/upload/storage/v1/b/${B}/o?uploadType=media&name=p/absent&ifGenerationMatch=123`, { body: 'x' });
    expect(absent.status).toBe(412);
  });

  it('ifGenerationNotMatch that matches is 304 Not Modified on GET; ifMetagenerationMatch mismatch is 412', async () => {
    const object = await put('p/get', 'x');
    expect((await api(server, 'GET', `${o('p/get')}?ifGenerationNotMatch=${object.generation}`)).status).toBe(304);
    expect((await api(server, 'GET', `${o('p/get')}?ifGenerationNotMatch=1`)).status).toBe(200);
    expect((await api(server, 'GET', `${o('p/get')}?ifMetagenerationMatch=2`)).status).toBe(412);
    expect((await api(server, 'GET', `${o('p/get')}?ifMetagenerationNotMatch=1`)).status).toBe(304);
    expect((await api(server, 'GET', `${o('p/get')}?ifGenerationMatch=${object.generation}&alt=media`)).text).toBe('x');
  });

  it('"If no live object exists, the precondition fails" for ifGenerationNotMatch on writes', async () => {
    const response = await api(server, 'POST', `/upload/storage/v1/b/${B}/o?uploadType=media&name=p/none&ifGenerationNotMatch=5`, { body: 'x' });
    expect(response.status).toBe(412);
  });

  it('PATCH and DELETE check generation and metageneration preconditions; GET/PATCH/DELETE of an absent object is 404 notFound', async () => {
    const object = await put('p/patch', 'x');
    const bad = await api(server, 'PATCH', `${o('p/patch')}?ifMetagenerationMatch=7`, { body: '{"metadata":{"a":"b"}}', headers: { 'Content-Type': 'application/json' } });
    expect(bad.status).toBe(412);
    const good = await api(server, 'PATCH', `${o('p/patch')}?ifGenerationMatch=${object.generation}`, { body: '{"metadata":{"a":"b"}}' });
    expect(good.json.metageneration).toBe('2');
    const removed = await api(server, 'PATCH', o('p/patch'), { body: '{"metadata":{"a":null}}' });
    expect(removed.json.metadata).toEqual({});
    expect((await api(server, 'DELETE', `${o('p/patch')}?ifMetagenerationMatch=1`)).status).toBe(412);
    expect((await api(server, 'DELETE', `${o('p/patch')}?ifGenerationMatch=${object.generation}`)).status).toBe(204);
    for (const method of ['GET', 'DELETE']) {
      const missing = await api(server, method, o('p/patch'));
      expect(missing.status).toBe(404);
      expect(reasonOf(missing)).toBe('notFound');
    }
    expect((await api(server, 'PATCH', o('p/patch'), { body: '{}' })).status).toBe(404);
  });

  it('rejects preconditions that are not int64 numbers (400)', async () => {
    expect((await api(server, 'GET', `${o('p/get')}?ifGenerationMatch=abc`)).status).toBe(400);
  });

  it('generations increase on every write, stay below 2^53, and metageneration restarts at 1', async () => {
    const seen: bigint[] = [];
    for (let i = 0; i < 5; i++) {
      const object = await put('p/gen', String(i));
      expect(object.metageneration).toBe('1');
      seen.push(BigInt(object.generation));
    }
    for (let i = 1; i < seen.length; i++) expect(seen[i]! > seen[i - 1]!).toBe(true);
    expect(seen.at(-1)! < 2n ** 53n).toBe(true);
  });
});

describe('compose (docs: json_api/v1/objects/compose, storage/docs/composite-objects)', () => {
  const compose = (destination: string, body: unknown, query = '') =>
    api(server, 'POST', `${o(destination)}/compose${query}`, { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });

  it('takes 1 to 32 sources: 32 works, 33 and 0 are 400', async () => {
    for (let i = 0; i < 33; i++) await put(`k/${i}`, String.fromCharCode(65 + (i % 26)));
    const sources = Array.from({ length: 33 }, (_, i) => ({ name: `k/${i}` }));
    const ok = await compose('k/32-sources', { sourceObjects: sources.slice(0, 32) });
    expect(ok.status).toBe(200);
    expect(ok.json.componentCount).toBe(32);
    const tooMany = await compose('k/33-sources', { sourceObjects: sources });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error.message).toContain('(33) exceeds the maximum (32)');
    expect((await compose('k/none', { sourceObjects: [] })).status).toBe(400);
    expect((await compose('k/none', {})).status).toBe(400);
    expect((await api(server, 'GET', o('k/33-sources'))).status).toBe(404);
  });

  it('a missing source, or a source generation that is not live, is 404; objectPreconditions mismatch is 412', async () => {
    const one = await put('k/src', 'src');
    expect((await compose('k/out', { sourceObjects: [{ name: 'k/src' }, { name: 'k/missing' }] })).status).toBe(404);
    expect((await compose('k/out', { sourceObjects: [{ name: 'k/src', generation: Number(one.generation) + 1 }] })).status).toBe(404);
    expect((await compose('k/out', { sourceObjects: [{ name: 'k/src', objectPreconditions: { ifGenerationMatch: 1 } }] })).status).toBe(412);
    const ok = await compose('k/out', { sourceObjects: [{ name: 'k/src', generation: Number(one.generation) }], destination: { contentType: 'text/plain' } });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ size: '3', contentType: 'text/plain', componentCount: 1 });
    expect(ok.json.md5Hash).toBeUndefined();
  });

  it('the destination honours ifGenerationMatch (0: must not exist) — 412 leaves it unchanged', async () => {
    await put('k/a', 'a');
    const first = await compose('k/dest', { sourceObjects: [{ name: 'k/a' }] }, '?ifGenerationMatch=0');
    expect(first.status).toBe(200);
    const second = await compose('k/dest', { sourceObjects: [{ name: 'k/a' }, { name: 'k/a' }] }, '?ifGenerationMatch=0');
    expect(second.status).toBe(412);
    expect((await api(server, 'GET', `${o('k/dest')}?alt=media`)).text).toBe('a');
  });

  it('rejects malformed compose bodies with 400', async () => {
    const response = await api(server, 'POST', `${o('k/bad')}/compose`, { body: '[1,2', headers: { 'Content-Type': 'application/json' } });
    expect(response.status).toBe(400);
    expect(reasonOf(response)).toBe('parseError');
    expect((await compose('k/bad', { sourceObjects: [{ generation: 1 }] })).status).toBe(400);
  });
});

describe('media downloads (docs: json_api/v1/objects/get alt=media; RFC 9110 ranges)', () => {
  it('200 whole, 206 with Content-Range for bytes=A-B and bytes=A-, 416 past the end', async () => {
    const object = await put('m/data', '0123456789');
    const whole = await api(server, 'GET', `${o('m/data')}?alt=media`);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('x-goog-hash')).toBe(`crc32c=${object.crc32c},md5=${object.md5Hash}`);
    expect(whole.headers.get('x-goog-generation')).toBe(object.generation);
    expect(whole.headers.get('x-goog-metageneration')).toBe('1');
    expect(whole.headers.get('x-goog-stored-content-encoding')).toBe('identity');
    const range = await api(server, 'GET', `${o('m/data')}?alt=media`, { headers: { Range: 'bytes=2-4' } });
    expect(range.status).toBe(206);
    expect(range.text).toBe('234');
    expect(range.headers.get('content-range')).toBe('bytes 2-4/10');
    const open = await api(server, 'GET', `${o('m/data')}?alt=media`, { headers: { Range: 'bytes=7-' } });
    expect(open.text).toBe('789');
    const suffix = await api(server, 'GET', `${o('m/data')}?alt=media`, { headers: { Range: 'bytes=-2' } });
    expect(suffix.text).toBe('89');
    const clamped = await api(server, 'GET', `${o('m/data')}?alt=media`, { headers: { Range: 'bytes=8-100' } });
    expect(clamped.headers.get('content-range')).toBe('bytes 8-9/10');
    const past = await api(server, 'GET', `${o('m/data')}?alt=media`, { headers: { Range: 'bytes=10-' } });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe('bytes */10');
    expect((await api(server, 'GET', `${o('m/data')}?alt=media&generation=${object.generation}`)).status).toBe(200);
    expect((await api(server, 'GET', `${o('m/data')}?alt=media&generation=1`)).status).toBe(404);
    expect((await api(server, 'GET', `${o('m/data')}?alt=xml`)).status).toBe(400);
  });
});

describe('list (docs: json_api/v1/objects/list)', () => {
  it('caps maxResults at 1000, pages with an opaque token left out on the last page, and rejects bad parameters', async () => {
    for (let i = 0; i < 1005; i++) await put(`big/${String(i).padStart(4, '0')}`, '');
    const first = await api(server, 'GET', `/storage/v1/b/${B}/o?prefix=big/&maxResults=5000`);
    expect(first.json.items).toHaveLength(1000);
    expect(first.json.nextPageToken).toBeTypeOf('string');
    const second = await api(server, 'GET', `/storage/v1/b/${B}/o?prefix=big/&pageToken=${encodeURIComponent(first.json.nextPageToken)}`);
    expect(second.json.items.map((item: { name: string }) => item.name)).toEqual(['big/1000', 'big/1001', 'big/1002', 'big/1003', 'big/1004']);
    expect(second.json.nextPageToken).toBeUndefined();
    expect((await api(server, 'GET', `/storage/v1/b/${B}/o?maxResults=0`)).status).toBe(400);
    expect((await api(server, 'GET', `/storage/v1/b/${B}/o?pageToken=%%%`)).status).toBe(400);
  });

  it('counts prefixes and items together against maxResults when a delimiter groups names', async () => {
    for (const name of ['d/a/1', 'd/a/2', 'd/b', 'd/c/1', 'd/d']) await put(name, '');
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await api(server, 'GET', `/storage/v1/b/${B}/o?prefix=d/&delimiter=/&maxResults=2${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`);
      const entries = [...(page.json.prefixes ?? []), ...(page.json.items ?? []).map((item: { name: string }) => item.name)];
      expect(entries.length).toBeLessThanOrEqual(2);
      seen.push(...entries);
      token = page.json.nextPageToken;
    } while (token);
    expect(seen.sort()).toEqual(['d/a/', 'd/b', 'd/c/', 'd/d']);
  });
});

describe('buckets (docs: json_api/v1/buckets, storage/docs/buckets#naming)', () => {
  it('requires a project, validates names, and answers 404 for unknown buckets', async () => {
    expect((await api(server, 'POST', '/storage/v1/b', { body: '{"name":"abc"}' })).status).toBe(400);
    expect((await api(server, 'POST', '/storage/v1/b?project=p', { body: '{"name":"Bad_Name"}' })).status).toBe(400);
    expect((await api(server, 'POST', '/storage/v1/b?project=p', { body: '{"name":"ab"}' })).status).toBe(400);
    expect((await api(server, 'GET', '/storage/v1/b/nope')).status).toBe(404);
    expect((await api(server, 'GET', '/storage/v1/b/nope/o')).status).toBe(404);
    expect((await api(server, 'POST', '/upload/storage/v1/b/nope/o?uploadType=media&name=x', { body: 'x' })).status).toBe(404);
  });
});
