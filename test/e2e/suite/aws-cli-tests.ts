import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { aws, awsJson } from '../harness/aws-cli.js';
import { MiB, sha256OfFile, writeGeneratedFile } from '../harness/generated-bytes.js';

interface PartEntry { ETag: string; PartNumber: number }

/** The parts file exactly as the provider guides show it (`--multipart-upload file://parts.json`). */
function partsJson(parts: readonly PartEntry[]): string {
  return `{\n  "Parts": [\n${parts.map((p) => `    {\n      "ETag": ${JSON.stringify(p.ETag)},\n      "PartNumber": ${p.PartNumber}\n    }`).join(',\n')}\n  ]\n}\n`;
}

/**
 * The seed-style aws CLI session (Debian's aws CLI v2 against `--endpoint-url`): s3api
 * multipart commands with a JSON parts file, its two classic rejections, and `aws s3 cp`.
 */
export function defineAwsCliTests(endpoint: () => string, bucketPrefix: string): void {
  let dir: string;
  const bucket = `${bucketPrefix}-cli`;
  const part1Size = 5 * MiB;
  const part2Size = 4321;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mpu-e2e-cli-'));
    await writeGeneratedFile(join(dir, 'part1.bin'), part1Size, 101);
    await writeGeneratedFile(join(dir, 'part2.bin'), part2Size, 102);
    await writeGeneratedFile(join(dir, 'small1.bin'), 1000, 103);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const s3api = <T = Record<string, unknown>>(...args: string[]) => awsJson<T>(endpoint(), ['s3api', ...args], dir);

  async function createUpload(key: string): Promise<string> {
    const created = await s3api<{ UploadId: string; Bucket: string; Key: string }>('create-multipart-upload', '--bucket', bucket, '--key', key);
    expect(created).toMatchObject({ Bucket: bucket, Key: key });
    expect(created.UploadId).toMatch(/\S/);
    return created.UploadId;
  }

  async function uploadPart(key: string, uploadId: string, partNumber: number, file: string): Promise<string> {
    const out = await s3api<{ ETag: string }>('upload-part', '--bucket', bucket, '--key', key, '--part-number', String(partNumber),
      '--body', file, '--upload-id', uploadId);
    expect(out.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    return out.ETag;
  }

  // Each aws CLI run costs a Python start-up (about a second on 2 cores), so commands that do
  // not depend on each other run side by side, as two shells of one user would.
  it('s3api session: create, upload-part x2, list-parts, list-multipart-uploads, complete (file://parts.json), head, get, abort', async () => {
    expect((await aws(endpoint(), ['s3', 'mb', `s3://${bucket}`])).code).toBe(0);
    const key = 'largefile.zip';
    const uploadId = await createUpload(key);
    const [e1, e2] = await Promise.all([uploadPart(key, uploadId, 1, 'part1.bin'), uploadPart(key, uploadId, 2, 'part2.bin')]);

    const [parts, uploads] = await Promise.all([
      s3api<{ Parts: { PartNumber: number; ETag: string; Size: number }[] }>('list-parts', '--bucket', bucket, '--key', key, '--upload-id', uploadId),
      s3api<{ Uploads?: { Key: string; UploadId: string }[] }>('list-multipart-uploads', '--bucket', bucket),
    ]);
    expect(parts.Parts.map(({ PartNumber, ETag, Size }) => ({ PartNumber, ETag, Size }))).toEqual([
      { PartNumber: 1, ETag: e1, Size: part1Size }, { PartNumber: 2, ETag: e2, Size: part2Size },
    ]);
    expect((uploads.Uploads ?? []).map(({ Key, UploadId }) => ({ Key, UploadId }))).toEqual([{ Key: key, UploadId: uploadId }]);

    const completeAndRead = async () => {
      await writeFile(join(dir, 'parts.json'), partsJson([{ ETag: e1, PartNumber: 1 }, { ETag: e2, PartNumber: 2 }]));
      const completed = await s3api<{ Bucket: string; Key: string; ETag: string; Location: string }>('complete-multipart-upload',
        '--bucket', bucket, '--key', key, '--upload-id', uploadId, '--multipart-upload', 'file://parts.json');
      expect(completed).toMatchObject({ Bucket: bucket, Key: key });
      expect(completed.ETag).toMatch(/^"[0-9a-f]{32}-2"$/);
      expect(completed.Location).toContain(`/${bucket}/${key}`);
      const [head, got] = await Promise.all([
        s3api<{ ContentLength: number; ETag: string }>('head-object', '--bucket', bucket, '--key', key),
        s3api<{ ContentLength: number; ETag: string }>('get-object', '--bucket', bucket, '--key', key, 'downloaded.zip'),
      ]);
      expect(head).toMatchObject({ ContentLength: part1Size + part2Size, ETag: completed.ETag });
      expect(got).toMatchObject({ ContentLength: part1Size + part2Size, ETag: completed.ETag });
      // The object is part1 followed by part2.
      const expected = createHash('sha256').update(await readFile(join(dir, 'part1.bin'))).update(await readFile(join(dir, 'part2.bin'))).digest('hex');
      expect((await sha256OfFile(join(dir, 'downloaded.zip'))).sha256).toBe(expected);
    };
    const uploadAndAbort = async () => {
      const second = await createUpload('abandoned.zip');
      await uploadPart('abandoned.zip', second, 1, 'part2.bin');
      const aborted = await aws(endpoint(), ['s3api', 'abort-multipart-upload', '--bucket', bucket, '--key', 'abandoned.zip', '--upload-id', second]);
      expect(aborted).toMatchObject({ code: 0, stdout: '' });
    };
    await Promise.all([completeAndRead(), uploadAndAbort()]);

    // Completed and aborted: nothing in progress (the CLI prints nothing for an empty listing).
    const after = await aws(endpoint(), ['s3api', 'list-multipart-uploads', '--bucket', bucket, '--output', 'json']);
    expect(after.code).toBe(0);
    expect(after.stdout.trim() === '' ? {} : JSON.parse(after.stdout)).not.toHaveProperty('Uploads.0');
  });

  it('complete-multipart-upload rejects parts out of order (InvalidPartOrder) and two small parts (EntityTooSmall)', async () => {
    const key = 'rejected.bin';
    const uploadId = await createUpload(key);
    const [e1, e2] = await Promise.all([uploadPart(key, uploadId, 1, 'small1.bin'), uploadPart(key, uploadId, 2, 'part2.bin')]);
    const complete = async (file: string, parts: PartEntry[]) => {
      await writeFile(join(dir, file), partsJson(parts));
      return aws(endpoint(), ['s3api', 'complete-multipart-upload', '--bucket', bucket, '--key', key, '--upload-id', uploadId,
        '--multipart-upload', `file://${file}`], { cwd: dir });
    };
    const reversed = await complete('reversed.json', [{ ETag: e2, PartNumber: 2 }, { ETag: e1, PartNumber: 1 }]);
    expect(reversed.code).not.toBe(0);
    expect(reversed.stderr).toMatch(/\(InvalidPartOrder\) when calling the CompleteMultipartUpload operation/);
    // A rejected Complete leaves the upload in place, so the same parts can be tried again.
    const small = await complete('small-parts.json', [{ ETag: e1, PartNumber: 1 }, { ETag: e2, PartNumber: 2 }]);
    expect(small.code).not.toBe(0);
    expect(small.stderr).toMatch(/\(EntityTooSmall\) when calling the CompleteMultipartUpload operation/);
  });

  it('aws s3 cp of a 20 MiB file goes up as multipart and comes back byte-identical', async () => {
    const size = 20 * MiB;
    const sha = await writeGeneratedFile(join(dir, 'twenty.bin'), size, 104);
    const up = await aws(endpoint(), ['s3', 'cp', 'twenty.bin', `s3://${bucket}/cp/twenty.bin`, '--no-progress', '--only-show-errors'], { cwd: dir });
    expect(up).toMatchObject({ code: 0, stderr: '' });
    const head = await s3api<{ ContentLength: number; ETag: string }>('head-object', '--bucket', bucket, '--key', 'cp/twenty.bin');
    // Above the 8 MB threshold the CLI uploads 8 MiB parts: 3 of them.
    expect(head).toMatchObject({ ContentLength: size, ETag: expect.stringMatching(/^"[0-9a-f]{32}-3"$/) });
    const down = await aws(endpoint(), ['s3', 'cp', `s3://${bucket}/cp/twenty.bin`, 'twenty.back', '--no-progress', '--only-show-errors'], { cwd: dir });
    expect(down).toMatchObject({ code: 0, stderr: '' });
    expect(await sha256OfFile(join(dir, 'twenty.back'))).toEqual({ sha256: sha, bytes: size });
  });
}
