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

  it('refuses a data directory a running server holds, naming the holder', async () => {
    const { cwd } = await seededDataDir();
    const serve = await startServe(['--backend', 'fs', '--data-dir', 'data'], { cwd });
    try {
      const listed = await runCli(['uploads', 'list', '--backend', 'fs', '--data-dir', 'data'], { cwd });
      expect(listed.code).toBe(1);
      expect(listed.stderr).toMatch(new RegExp(`data directory .*data is in use by pid ${serve.child.pid} on ${os.hostname()}`));
    } finally {
      serve.child.kill('SIGTERM');
      expect((await serve.exited).code).toBe(0);
    }
  });
});
