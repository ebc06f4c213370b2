import { randomBytes } from 'node:crypto';
import { Agent } from 'node:http';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempDirs, multipartEtagOf, partEtagOf } from './helpers/bytes.js';
import { type S3Call, type S3Reply, type ServeProcess, call, startServe } from './helpers/serve-process.js';

/**
 * The real `mpu serve --workers 2` on fs: two processes share one data directory and one port.
 * Each race sends its two requests over two keep-alive connections pinned to different
 * workers (checked through the `x-mpu-worker` response header), so the race is between
 * processes, and must still end in exactly one outcome.
 */

const BUCKET = 'workers';
const ROUNDS = 6;
const temps = new TempDirs();
let server: ServeProcess;
/** One keep-alive connection per worker pid. */
const pinned = new Map<string, Agent>();
let agents: [Agent, Agent];

const workerOf = (reply: S3Reply): string => String(reply.headers['x-mpu-worker']);
const send = (agent: Agent, input: S3Call): Promise<S3Reply> => call(server.port, { ...input, agent });

/** Opens connections until one answers from each of two worker pids (the primary deals them out round-robin). */
async function pinTwoWorkers(exclude: ReadonlySet<string> = new Set()): Promise<[Agent, Agent]> {
  for (const agent of pinned.values()) agent.destroy();
  pinned.clear();
  for (let attempt = 0; attempt < 40 && pinned.size < 2; attempt++) {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const reply = await send(agent, { method: 'GET', path: '/' });
    expect(reply.status).toBe(200);
    const pid = workerOf(reply);
    if (pinned.has(pid) || exclude.has(pid)) agent.destroy();
    else pinned.set(pid, agent);
  }
  expect(pinned.size).toBe(2);
  const [first, second] = [...pinned.values()] as [Agent, Agent];
  return [first, second];
}

async function createUpload(agent: Agent, key: string): Promise<string> {
  const reply = await send(agent, { method: 'POST', path: `/${BUCKET}/${key}`, query: [['uploads', '']] });
  expect(reply.status).toBe(200);
  return /<UploadId>([^<]+)<\/UploadId>/.exec(reply.body)![1]!;
}

function uploadPart(agent: Agent, key: string, uploadId: string, partNumber: number, body: S3Call['body']): Promise<S3Reply> {
  return send(agent, { method: 'PUT', path: `/${BUCKET}/${key}`, query: [['partNumber', String(partNumber)], ['uploadId', uploadId]], ...(body === undefined ? {} : { body }) });
}

function completeBody(etags: readonly string[]): Buffer {
  const parts = etags.map((etag, index) => `<Part><PartNumber>${index + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join('');
  return Buffer.from(`<CompleteMultipartUpload>${parts}</CompleteMultipartUpload>`);
}

function complete(agent: Agent, key: string, uploadId: string, etags: readonly string[], headers?: Record<string, string>): Promise<S3Reply> {
  return send(agent, { method: 'POST', path: `/${BUCKET}/${key}`, query: [['uploadId', uploadId]], body: completeBody(etags), ...(headers ? { headers } : {}) });
}

async function getObject(agent: Agent, key: string): Promise<S3Reply> {
  return send(agent, { method: 'GET', path: `/${BUCKET}/${key}` });
}

beforeAll(async () => {
  const workDir = await temps.make('workers');
  const dataDir = join(workDir, 'data');
  await mkdir(dataDir);
  server = await startServe('fs', dataDir, workDir, 2);
  agents = await pinTwoWorkers();
  expect((await send(agents[0], { method: 'PUT', path: `/${BUCKET}` })).status).toBe(200);
}, 120_000);

afterAll(async () => {
  for (const agent of pinned.values()) agent.destroy();
  server?.child.kill('SIGTERM');
  await server?.exited;
  await temps.removeAll();
});

describe('mpu serve --workers 2 on fs', () => {
  it('the two pinned connections are served by two different worker processes, neither of them the primary', async () => {
    const pids = await Promise.all(agents.map(async (agent) => workerOf(await send(agent, { method: 'GET', path: '/' }))));
    expect(new Set(pids).size).toBe(2);
    expect(pids).not.toContain(String(server.child.pid));
  });

  it('Complete on one worker against Abort on the other: exactly one wins, and the key shows its outcome', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const key = `complete-abort-${round}`;
      const data = randomBytes(2048);
      const uploadId = await createUpload(agents[0], key);
      const part = await uploadPart(agents[1], key, uploadId, 1, data);
      expect(part.status).toBe(200);
      const [completeAgent, abortAgent]: [Agent, Agent] = round % 2 === 0 ? agents : [agents[1], agents[0]];
      const [completed, aborted] = await Promise.all([
        complete(completeAgent, key, uploadId, [String(part.headers['etag'])]),
        send(abortAgent, { method: 'DELETE', path: `/${BUCKET}/${key}`, query: [['uploadId', uploadId]] }),
      ]);
      const wins = [completed.status === 200 && completed.body.includes('<CompleteMultipartUploadResult'), aborted.status === 204];
      expect(wins.filter(Boolean), `round ${round}: complete ${completed.status} ${completed.body} / abort ${aborted.status} ${aborted.body}`).toHaveLength(1);
      const object = await getObject(agents[round % 2]!, key);
      if (wins[0]) {
        expect(aborted.body).toContain('<Code>NoSuchUpload</Code>');
        expect(Buffer.from(object.body, 'latin1').equals(data)).toBe(true);
      } else {
        expect(completed.body).toContain('<Code>NoSuchUpload</Code>');
        expect(object.status).toBe(404);
      }
    }
  });

  it('the same part number uploaded through both workers at once: one of the two bodies, consistently', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const key = `same-part-${round}`;
      const uploadId = await createUpload(agents[0], key);
      const datas = [randomBytes(4096), randomBytes(4096)] as const;
      const replies = await Promise.all(agents.map((agent, index) => uploadPart(agent, key, uploadId, 1, datas[index])));
      expect(replies.map((r) => r.status)).toEqual([200, 200]);
      expect(replies.map((r) => r.headers['etag'])).toEqual(datas.map(partEtagOf));
      const listed = await send(agents[round % 2]!, { method: 'GET', path: `/${BUCKET}/${key}`, query: [['uploadId', uploadId]] });
      const etags = [...listed.body.matchAll(/<ETag>([^<]+)<\/ETag>/g)].map((m) => m[1]!.replace(/&quot;|&#34;/g, '"'));
      expect(etags).toHaveLength(1);
      const winner = datas.findIndex((data) => partEtagOf(data) === etags[0]);
      expect(winner).toBeGreaterThanOrEqual(0);
      // The loser's ETag names no part on either worker; the winner's completes to its exact bytes.
      const loserEtag = partEtagOf(datas[1 - winner]!);
      expect((await complete(agents[winner]!, key, uploadId, [loserEtag])).body).toContain('<Code>InvalidPart</Code>');
      const done = await complete(agents[1 - winner]!, key, uploadId, [etags[0]!]);
      expect(done.status).toBe(200);
      expect(done.body).toContain(multipartEtagOf([datas[winner]!]).replace(/"/g, ''));
      expect(Buffer.from((await getObject(agents[winner]!, key)).body, 'latin1').equals(datas[winner]!)).toBe(true);
    }
  });

  it('Complete with If-None-Match: * on one worker against PutObject with If-None-Match: * on the other: exactly one creates the key', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const key = `create-once-${round}`;
      const parted = randomBytes(3000);
      const put = randomBytes(1000);
      const uploadId = await createUpload(agents[0], key);
      const part = await uploadPart(agents[0], key, uploadId, 1, parted);
      const [completeAgent, putAgent]: [Agent, Agent] = round % 2 === 0 ? agents : [agents[1], agents[0]];
      const [completed, putted] = await Promise.all([
        complete(completeAgent, key, uploadId, [String(part.headers['etag'])], { 'if-none-match': '*' }),
        send(putAgent, { method: 'PUT', path: `/${BUCKET}/${key}`, body: put, headers: { 'if-none-match': '*' } }),
      ]);
      // The loser: 412 PreconditionFailed, or 409 ConditionalRequestConflict when the writes
      // overlapped (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html).
      const statuses = [completed.status, putted.status];
      expect(statuses.filter((status) => status === 200), `round ${round}: ${completed.body} / ${putted.body}`).toHaveLength(1);
      expect([409, 412]).toContain(statuses.find((status) => status !== 200));
      const winner = completed.status === 200 ? parted : put;
      expect(Buffer.from((await getObject(agents[round % 2]!, key)).body, 'latin1').equals(winner)).toBe(true);
    }
  });

  it('SIGKILL of one worker mid-upload loses nothing acknowledged; the other carries on and the primary restarts the dead one', async () => {
    const key = 'killed-mid-upload';
    const datas = [randomBytes(2048), randomBytes(2048), randomBytes(2048), randomBytes(1500)];
    const uploadId = await createUpload(agents[0], key);
    const acknowledged: string[] = [];
    for (const index of [0, 1, 2]) {
      const reply = await uploadPart(agents[index % 2]!, key, uploadId, index + 1, datas[index]);
      expect(reply.status).toBe(200);
      acknowledged.push(String(reply.headers['etag']));
    }
    const victim = workerOf(await send(agents[0], { method: 'GET', path: '/' }));
    // Part 4 is in flight on the victim (its body arrives slowly) when the victim is killed.
    const pieces = Array.from({ length: 30 }, (_, i) => datas[3]!.subarray(i * 50, (i + 1) * 50));
    const inFlight = uploadPart(agents[0], key, uploadId, 4, { pieces, pauseMs: 50 }).then(() => 'answered', () => 'cut');
    await new Promise((resolve) => setTimeout(resolve, 200));
    process.kill(Number(victim), 'SIGKILL');
    expect(await inFlight).toBe('cut');

    // The survivor: the acknowledged parts are all there, part 4 again, Complete, exact bytes.
    const survivor = agents[1];
    const listed = await send(survivor, { method: 'GET', path: `/${BUCKET}/${key}`, query: [['uploadId', uploadId]] });
    expect([...listed.body.matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => Number(m[1]))).toEqual([1, 2, 3]);
    const fourth = await uploadPart(survivor, key, uploadId, 4, datas[3]);
    expect(fourth.status).toBe(200);
    const done = await complete(survivor, key, uploadId, [...acknowledged, String(fourth.headers['etag'])]);
    expect(done.status).toBe(200);
    expect(Buffer.from((await getObject(survivor, key)).body, 'latin1').equals(Buffer.concat(datas))).toBe(true);

    // A new worker took the dead one's place: two live pids again, the victim not among them.
    await expect.poll(async () => {
      try {
        agents = await pinTwoWorkers(new Set([victim]));
        return true;
      } catch {
        return false;
      }
    }, { timeout: 60_000, interval: 500 }).toBe(true);
    expect(pinned.has(victim)).toBe(false);
    expect(Buffer.from((await getObject(agents[0], key)).body, 'latin1').equals(Buffer.concat(datas))).toBe(true);
  });
});
