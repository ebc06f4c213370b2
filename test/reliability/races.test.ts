import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MultipartEngine, UploadRef } from '@mpu/core';
import { bodyOf, collect, multipartEtagOf, outcomeOf, partEtagOf, readObject } from './helpers/bytes.js';
import { type BackendName, Gate, RaceBackend, bytesFor, gatedBody, settleS3, turns } from './helpers/race-harness.js';

/**
 * Races between clients, on the engine over MemoryStore and FsStore. Each race runs many
 * times, each time under a different seeded jitter of every store call (0–2 ms delays), and
 * must end in exactly one of its legal outcomes, with every read byte-exact.
 * (engine-concurrency.test.ts in core covers some of these on memory with event-loop jitter;
 * here they run on fs too, with gated bodies deciding which upload finishes last.)
 */

const BUCKET = 'races';
const BACKENDS: readonly [BackendName, number][] = [['memory', 30], ['fs', 12]];

async function prepared(engine: MultipartEngine, key: string, parts: readonly Buffer[]) {
  const upload = await engine.createMultipartUpload({ bucket: BUCKET, key });
  const ref: UploadRef = { bucket: BUCKET, key, uploadId: upload.uploadId };
  const infos = [];
  for (const [index, data] of parts.entries()) {
    infos.push(await engine.uploadPart({ ...ref, partNumber: index + 1, body: bodyOf(data, 64) }));
  }
  return { ref, listed: infos.map(({ partNumber, etag }) => ({ partNumber, etag })) };
}

async function expectGone(engine: MultipartEngine, ref: UploadRef): Promise<void> {
  expect(await outcomeOf(engine.listParts(ref))).toBe('NoSuchUpload');
  const { uploads } = await engine.listMultipartUploads({ bucket: BUCKET, prefix: ref.key });
  expect(uploads.map((upload) => upload.uploadId)).not.toContain(ref.uploadId);
}

describe.each(BACKENDS)('races on %s', (name, rounds) => {
  const backend = new RaceBackend(name);
  const seeds = Array.from({ length: rounds }, (_, i) => i + 1);
  beforeAll(async () => {
    await backend.open();
    await backend.engine(0).engine.createBucket(BUCKET);
  });
  afterAll(() => backend.close());

  it.each(['first', 'second'] as const)(
    'one part number uploaded twice at once: the body that finishes last wins (%s finishes first)',
    async (firstDone) => {
      for (const seed of seeds.slice(0, 6)) {
        const { engine } = backend.engine(seed);
        const key = `same-part-${firstDone}-${seed}`;
        const { ref } = await prepared(engine, key, []);
        const datas = { first: bytesFor(`A${seed}`, 40), second: bytesFor(`B${seed}`, 40) };
        const gates = { first: new Gate(), second: new Gate() };
        const bodies = { first: gatedBody(datas.first, gates.first), second: gatedBody(datas.second, gates.second) };
        const results = {
          first: engine.uploadPart({ ...ref, partNumber: 1, body: bodies.first.body }),
          second: engine.uploadPart({ ...ref, partNumber: 1, body: bodies.second.body }),
        };
        // Both bodies are in flight before either may finish.
        await Promise.all([bodies.first.started, bodies.second.started]);
        const lastDone = firstDone === 'first' ? 'second' : 'first';
        gates[firstDone].open();
        const early = await results[firstDone];
        await turns(seed % 5);
        gates[lastDone].open();
        const late = await results[lastDone];
        expect(early.etag).toBe(partEtagOf(datas[firstDone]));
        expect(late.etag).toBe(partEtagOf(datas[lastDone]));

        const { parts } = await engine.listParts(ref);
        expect(parts.map((part) => part.etag)).toEqual([late.etag]);
        // The loser's ETag no longer names a part; the winner's completes to its exact bytes.
        expect(await outcomeOf(engine.completeMultipartUpload({ ...ref, parts: [{ partNumber: 1, etag: early.etag }] }))).toBe('InvalidPart');
        await engine.completeMultipartUpload({ ...ref, parts: [{ partNumber: 1, etag: late.etag }] });
        expect(await readObject(engine, BUCKET, key)).toEqual(datas[lastDone]);
      }
    },
  );

  it('one part number uploaded twice, finishing together: one of the two, consistently', async () => {
    for (const seed of seeds) {
      const { engine } = backend.engine(seed);
      const key = `same-part-together-${seed}`;
      const { ref } = await prepared(engine, key, []);
      const a = bytesFor(`a${seed}`, 33);
      const b = bytesFor(`b${seed}`, 34);
      const gate = new Gate();
      const bodyA = gatedBody(a, gate);
      const bodyB = gatedBody(b, gate);
      const results = Promise.all([
        engine.uploadPart({ ...ref, partNumber: 1, body: bodyA.body }),
        engine.uploadPart({ ...ref, partNumber: 1, body: bodyB.body }),
      ]);
      await Promise.all([bodyA.started, bodyB.started]);
      gate.open();
      await results;
      const { parts } = await engine.listParts(ref);
      expect(parts).toHaveLength(1);
      const winner = parts[0]!.etag === partEtagOf(a) ? a : b;
      expect(parts[0]!.etag).toBe(partEtagOf(winner));
      expect(parts[0]!.size).toBe(winner.byteLength);
      await engine.completeMultipartUpload({ ...ref, parts: [{ partNumber: 1, etag: parts[0]!.etag }] });
      expect(await readObject(engine, BUCKET, key)).toEqual(winner);
    }
  });

  it('Complete against Abort: exactly one wins, and the key shows its outcome', async () => {
    const wins = { complete: 0, abort: 0 };
    for (const seed of seeds) {
      const { engine } = backend.engine(seed);
      const key = `complete-abort-${seed}`;
      const parts = [bytesFor(`p1-${seed}`, 8), bytesFor(`p2-${seed}`, 5)];
      const { ref, listed } = await prepared(engine, key, parts);
      const [complete, abort] = await Promise.all([
        settleS3(engine.completeMultipartUpload({ ...ref, parts: listed })),
        settleS3(engine.abortMultipartUpload(ref)),
      ]);
      expect([complete.code, abort.code].filter((code) => code === 'ok'), `seed ${seed}`).toHaveLength(1);
      if (complete.code === 'ok') {
        wins.complete++;
        expect(abort.code).toBe('NoSuchUpload');
        expect(complete.value!.etag).toBe(multipartEtagOf(parts));
        expect(await readObject(engine, BUCKET, key)).toEqual(Buffer.concat(parts));
      } else {
        wins.abort++;
        expect(complete.code).toBe('NoSuchUpload');
        expect(await readObject(engine, BUCKET, key)).toBeUndefined();
      }
      await expectGone(engine, ref);
    }
    console.info(`Complete vs Abort on ${name}`, wins);
  });

  it('Complete against UploadPart: the object is exactly the listed parts; an acknowledged part of a live upload stays', async () => {
    const seen = new Map<string, number>();
    for (const seed of seeds) {
      const { engine } = backend.engine(seed);
      const key = `complete-upload-${seed}`;
      const parts = [bytesFor(`q1-${seed}`, 8), bytesFor(`q2-${seed}`, 6)];
      const { ref, listed } = await prepared(engine, key, parts);
      // Odd seeds add part 3 (not listed), even seeds re-upload part 2 (listed with its old ETag).
      const number = seed % 2 ? 3 : 2;
      const fresh = bytesFor(`new-${seed}`, 7);
      const [complete, upload] = await Promise.all([
        settleS3(engine.completeMultipartUpload({ ...ref, parts: listed })),
        settleS3(engine.uploadPart({ ...ref, partNumber: number, body: bodyOf(fresh) })),
      ]);
      const label = `${complete.code}/${upload.code} part ${number}`;
      seen.set(label, (seen.get(label) ?? 0) + 1);
      expect(['ok', 'NoSuchUpload'], label).toContain(upload.code);
      if (upload.code === 'ok') expect(upload.value!.etag).toBe(partEtagOf(fresh));
      if (complete.code === 'ok') {
        // The object is what Complete listed, whatever landed meanwhile.
        expect(complete.value!.etag).toBe(multipartEtagOf(parts));
        expect(await readObject(engine, BUCKET, key)).toEqual(Buffer.concat(parts));
        await expectGone(engine, ref);
      } else {
        // Only a re-upload that replaced part 2 before Complete validated can fail it.
        expect(complete.code, label).toBe('InvalidPart');
        expect(number).toBe(2);
        expect(upload.code).toBe('ok');
        expect(await readObject(engine, BUCKET, key)).toBeUndefined();
        // The upload is intact and completes with the acknowledged part.
        const again = await engine.completeMultipartUpload({ ...ref, parts: [listed[0]!, { partNumber: 2, etag: upload.value!.etag }] });
        expect(again.etag).toBe(multipartEtagOf([parts[0]!, fresh]));
        expect(await readObject(engine, BUCKET, key)).toEqual(Buffer.concat([parts[0]!, fresh]));
      }
    }
    console.info(`Complete vs UploadPart on ${name}`, Object.fromEntries(seen));
  });

  it('two Completes of one upload with different part lists: one list wins, both answer its result', async () => {
    for (const seed of seeds) {
      const { engine } = backend.engine(seed);
      const key = `two-completes-${seed}`;
      const parts = [bytesFor(`r1-${seed}`, 6), bytesFor(`r2-${seed}`, 6), bytesFor(`r3-${seed}`, 3)];
      const { ref, listed } = await prepared(engine, key, parts);
      const [a, b] = await Promise.all([
        engine.completeMultipartUpload({ ...ref, parts: listed }),
        engine.completeMultipartUpload({ ...ref, parts: [listed[0]!, listed[2]!] }),
      ]);
      expect(a).toEqual(b);
      const whole = { etag: multipartEtagOf(parts), bytes: Buffer.concat(parts) };
      const sparse = { etag: multipartEtagOf([parts[0]!, parts[2]!]), bytes: Buffer.concat([parts[0]!, parts[2]!]) };
      const winner = a.etag === whole.etag ? whole : sparse;
      expect(a.etag).toBe(winner.etag);
      expect(await readObject(engine, BUCKET, key)).toEqual(winner.bytes);
      const head = await engine.headObject({ bucket: BUCKET, key });
      expect(head.object.etag).toBe(winner.etag);
      await expectGone(engine, ref);
    }
  });

  it('two uploads of one key completed at once, and in either order: the last Complete wins', async () => {
    for (const seed of seeds) {
      const { engine } = backend.engine(seed);
      const key = `two-uploads-${seed}`;
      const a = [bytesFor(`ua-${seed}`, 9)];
      const b = [bytesFor(`ub-${seed}`, 4), bytesFor(`ub2-${seed}`, 2)];
      const up1 = await prepared(engine, key, a);
      const up2 = await prepared(engine, key, b);
      // Concurrent: either may win, and the key shows exactly that one.
      const [r1, r2] = await Promise.all([
        engine.completeMultipartUpload({ ...up1.ref, parts: up1.listed }),
        engine.completeMultipartUpload({ ...up2.ref, parts: up2.listed }),
      ]);
      expect(r1.etag).toBe(multipartEtagOf(a));
      expect(r2.etag).toBe(multipartEtagOf(b));
      const shown = await readObject(engine, BUCKET, key);
      expect([Buffer.concat(a), Buffer.concat(b)]).toContainEqual(shown);
      const { objects } = await engine.listObjects({ bucket: BUCKET, prefix: key });
      expect(objects).toHaveLength(1);
      expect(objects[0]!.size).toBe(shown!.byteLength);
      // Sequential, both orders: the later Complete is what a reader sees.
      for (const order of [[a, b], [b, a]]) {
        const first = await prepared(engine, key, order[0]!);
        const second = await prepared(engine, key, order[1]!);
        await engine.completeMultipartUpload({ ...second.ref, parts: second.listed });
        await engine.completeMultipartUpload({ ...first.ref, parts: first.listed });
        expect(await readObject(engine, BUCKET, key)).toEqual(Buffer.concat(order[0]!));
      }
    }
  });

  it('Complete with If-None-Match:* against PutObject on an absent key: one consistent outcome', async () => {
    const seen = new Map<string, number>();
    for (const seed of seeds) {
      const { engine } = backend.engine(seed);
      const key = `inm-put-${seed}`;
      const parts = [bytesFor(`s-${seed}`, 10)];
      const { ref, listed } = await prepared(engine, key, parts);
      const put = bytesFor(`put-${seed}`, 12);
      const [complete, written] = await Promise.all([
        settleS3(engine.completeMultipartUpload({ ...ref, parts: listed, conditions: { ifNoneMatch: '*' } })),
        settleS3(engine.putObject({ bucket: BUCKET, key, body: bodyOf(put) })),
      ]);
      seen.set(complete.code, (seen.get(complete.code) ?? 0) + 1);
      expect(written.code).toBe('ok');
      // The unconditional PUT always lands; the conditional Complete either came first (and was
      // then overwritten) or found the key taken.
      expect(await readObject(engine, BUCKET, key)).toEqual(put);
      expect(['ok', 'PreconditionFailed', 'ConditionalRequestConflict']).toContain(complete.code);
      if (complete.code === 'PreconditionFailed') {
        // A 412 leaves the upload as it was: completable once the condition is dropped.
        const again = await engine.completeMultipartUpload({ ...ref, parts: listed });
        expect(again.etag).toBe(multipartEtagOf(parts));
        expect(await readObject(engine, BUCKET, key)).toEqual(Buffer.concat(parts));
      } else {
        await expectGone(engine, ref);
      }
    }
    console.info(`Complete(If-None-Match) vs PutObject on ${name}`, Object.fromEntries(seen));
  });

  it('conditional Complete against conditional PutObject (both If-None-Match:*): exactly one creates the key', async () => {
    for (const seed of seeds) {
      const { engine } = backend.engine(seed);
      const key = `inm-both-${seed}`;
      const parts = [bytesFor(`t-${seed}`, 10)];
      const { ref, listed } = await prepared(engine, key, parts);
      const put = bytesFor(`tput-${seed}`, 11);
      const [complete, written] = await Promise.all([
        settleS3(engine.completeMultipartUpload({ ...ref, parts: listed, conditions: { ifNoneMatch: '*' } })),
        settleS3(engine.putObject({ bucket: BUCKET, key, body: bodyOf(put), conditions: { ifNoneMatch: '*' } })),
      ]);
      const winners = [complete, written].filter((outcome) => outcome.code === 'ok');
      expect(winners, `seed ${seed}: ${complete.code}/${written.code}`).toHaveLength(1);
      const expected = complete.code === 'ok' ? Buffer.concat(parts) : put;
      expect(await readObject(engine, BUCKET, key)).toEqual(expected);
      for (const loser of [complete, written]) {
        if (loser.code !== 'ok') expect(['PreconditionFailed', 'ConditionalRequestConflict']).toContain(loser.code);
      }
    }
  });

  it('a GET streaming an object while the key is overwritten delivers the old bytes whole', async () => {
    for (const seed of seeds.slice(0, 6)) {
      const { engine } = backend.engine(seed, 0);
      const key = `get-overwrite-${seed}`;
      const parts = [bytesFor(`g1-${seed}`, 300), bytesFor(`g2-${seed}`, 300), bytesFor(`g3-${seed}`, 300)];
      const { ref, listed } = await prepared(engine, key, parts);
      await engine.completeMultipartUpload({ ...ref, parts: listed });
      const { body } = await engine.getObject({ bucket: BUCKET, key });
      const iterator = body[Symbol.asyncIterator]();
      const first = await iterator.next();
      expect(first.done).toBe(false);
      // The key moves on while the reader is between chunks.
      await engine.putObject({ bucket: BUCKET, key, body: bodyOf(bytesFor(`new-${seed}`, 20)) });
      const rest = await collect({ [Symbol.asyncIterator]: () => iterator });
      expect(Buffer.concat([Buffer.from(first.value!), rest])).toEqual(Buffer.concat(parts));
    }
  });
});
