import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MultipartEngine } from '@mpu/core';
import { createStore } from '../src/index.js';
import { runCli, startServe } from './cli-process.js';

const DAY = 86_400_000;

/** A data directory with three in-progress uploads: one begun 10 days ago, two just now. */
async function seededDataDir(): Promise<{ cwd: string; dataDir: string; old: string; fresh: string; byId: string }> {
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'mpu-cli-uploads-'));
  const dataDir = path.join(cwd, 'data');
  const tenDaysAgo = new Date(Date.now() - 10 * DAY);
  const past = new MultipartEngine({ store: await createStore({ type: 'fs', root: dataDir }), clock: () => tenDaysAgo });
  await past.createBucket('bkt');
  const old = (await past.createMultipartUpload({ bucket: 'bkt', key: 'old.bin' })).uploadId;
  await past.close();
  const now = new MultipartEngine({ store: await createStore({ type: 'fs', root: dataDir }) });
  const fresh = (await now.createMultipartUpload({ bucket: 'bkt', key: 'fresh.bin' })).uploadId;
  const byId = (await now.createMultipartUpload({ bucket: 'bkt', key: 'by-id.bin' })).uploadId;
  await now.close();
  return { cwd, dataDir, old, fresh, byId };
}

describe('mpu uploads (operator commands on a data directory)', () => {
  it('list shows every upload with its age; abort <id> and abort --older-than remove exactly those', async () => {
    const { cwd, old, fresh, byId } = await seededDataDir();
    const cli = (...args: string[]) => runCli(['uploads', ...args, '--backend', 'fs', '--data-dir', 'data'], { cwd });

    const listed = await cli('list');
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.find((l) => l.includes(old))).toMatch(/ 10d {2}bkt {2}\S+ {2}old\.bin$/);
    expect(lines.find((l) => l.includes(fresh))).toMatch(/ 0h {2}bkt {2}\S+ {2}fresh\.bin$/);
    expect(lines.some((l) => l.includes(byId) && l.endsWith('by-id.bin'))).toBe(true);

    const aborted = await cli('abort', byId);
    expect(aborted).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^aborted .*${byId}.*by-id\\.bin\\n$`)) });
    const unknown = await cli('abort', byId);
    expect(unknown).toMatchObject({ code: 1, stderr: `no in-progress upload with id ${byId}\n` });

    const expired = await cli('abort', '--older-than', '7d');
    expect(expired.code).toBe(0);
    expect(expired.stdout).toContain(old);
    expect(expired.stdout).not.toContain(fresh);
    expect(expired.stdout).toMatch(/1 upload\(s\) aborted\n$/);

    const after = await cli('list', '--bucket', 'bkt');
    expect(after.code).toBe(0);
    expect(after.stdout.trim().split('\n')).toEqual([expect.stringContaining(fresh)]);
    expect((await cli('abort', '--older-than', 'soon')).stderr).toMatch(/invalid duration "soon"/);
  });

  it('works through a running server (signed S3 requests) while it holds the data', async () => {
    const { cwd, old, fresh, byId } = await seededDataDir();
    // level: the running server holds the LevelDB lock, so the store cannot be opened beside it.
    const seeded = new MultipartEngine({ store: await createStore({ type: 'level', location: path.join(cwd, 'level') }) });
    await seeded.createBucket('lvl');
    const levelUpload = (await seeded.createMultipartUpload({ bucket: 'lvl', key: 'held.bin' })).uploadId;
    await seeded.close();
    const serve = await startServe(['--backend', 'level', '--data-dir', 'level'], { cwd });
    try {
      const held = await runCli(['uploads', 'list', '--backend', 'level', '--data-dir', 'level'], { cwd });
      expect(held.code).toBe(1); // no server at the configured port: the lock error, as before
      expect(held.stderr).toMatch(/lock|LOCK/);

      const listed = await runCli(['uploads', 'list', '--endpoint', serve.url], { cwd });
      expect(listed).toMatchObject({ code: 0, stdout: expect.stringContaining(levelUpload) });
      const aborted = await runCli(['uploads', 'abort', levelUpload, '--endpoint', serve.url], { cwd });
      expect(aborted).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^aborted .*${levelUpload}.*held\\.bin\\n$`)) });
      expect((await runCli(['uploads', 'list', '--endpoint', serve.url], { cwd })).stdout).toBe('');
      // The server saw authenticated S3 requests, not a second opener of its data.
      expect(serve.logs.filter((l) => l['msg'] === 's3 request').map((l) => [l['operation'], l['status']])).toEqual(expect.arrayContaining([
        ['ListBuckets', 200], ['ListMultipartUploads', 200], ['AbortMultipartUpload', 204],
      ]));
    } finally {
      serve.child.kill('SIGTERM');
      expect((await serve.exited).code).toBe(0);
    }
    // The fs data directory seeded above is untouched by all this.
    expect((await runCli(['uploads', 'list', '--backend', 'fs', '--data-dir', 'data'], { cwd })).stdout.trim().split('\n'))
      .toEqual(expect.arrayContaining([expect.stringContaining(old), expect.stringContaining(fresh), expect.stringContaining(byId)]));
  });
});
