import { describe, expect, it } from 'vitest';
import { MissingPartError } from '@mpu/core';
import { LevelStore } from '../src/index.js';
import { ChildLines, spawnFixture } from './helpers/child.js';
import { rawKeys, unfinishedParts } from './helpers/raw-keys.js';
import { tempDir } from './helpers/temp-dir.js';
import { PARTS_PER_UPLOAD, type StoreWorkloadEvent, UPLOADS, partByte, partIdOf, partSize, uploadName } from './fixtures/workload.js';

/**
 * Kill points in the store's own calls (see KillSwitchStore): before a part starts, between
 * its chunk puts, after it is durable but unacknowledged; around the manifest write, the
 * record write, and the discard of superseded parts.
 */
const KILL_POINTS = [
  'writePart:1:mid',
  'writePart:3:after',
  'writePart:4:mid',
  'writePart:6:before',
  'assemble:1:mid',
  'assemble:1:after',
  'writeRecord:1:mid',
  'writeRecord:2:after',
  'discard:1:mid',
  'discard:2:before',
];

type Ack = Extract<StoreWorkloadEvent, { event: 'ack' }>;

/** Streams a read and counts bytes that differ from parts `parts` of `upload`, concatenated. */
async function mismatches(store: LevelStore, handle: string, upload: number, parts: readonly number[]): Promise<{ size: number; wrong: number }> {
  let index = 0;
  let inPart = 0;
  let size = 0;
  let wrong = 0;
  for await (const chunk of store.read(handle)) {
    for (const byte of chunk) {
      while (index < parts.length && inPart >= partSize(upload, parts[index]!)) {
        index++;
        inPart = 0;
      }
      if (index >= parts.length || byte !== partByte(upload, parts[index]!, inPart)) wrong++;
      inPart++;
      size++;
    }
  }
  return { size, wrong };
}

function sizeOf(upload: number, parts: readonly number[]): number {
  return parts.reduce((sum, part) => sum + partSize(upload, part), 0);
}

describe('LevelStore crash safety (SIGKILL inside its own calls)', () => {
  for (const killAt of KILL_POINTS) {
    it(`killed at ${killAt}: acknowledged parts and manifests are intact, partial parts invisible and collectable`, async () => {
      const dir = await tempDir('mpu-level-store-crash-');
      try {
        const child = spawnFixture('store-crash-child.ts', [dir.path], { MPU_KILL_AT: killAt });
        const out = new ChildLines(child);
        const exit = await out.exited;
        expect(exit.signal, `child exit (stderr: ${exit.stderr})`).toBe('SIGKILL');
        const events = out.lines.filter((line) => line !== '').map((line) => JSON.parse(line) as StoreWorkloadEvent);
        // A kill mid-part leaves it `writing`, with some chunks: the case discard() must handle.
        expect((await unfinishedParts(dir.path)).length > 0).toBe(killAt.startsWith('writePart') && killAt.endsWith(':mid'));

        const store = await LevelStore.open({ location: dir.path });
        try {
          for (let upload = 0; upload < UPLOADS; upload++) {
            const name = uploadName(upload);
            const acks = events.filter((e): e is Ack => e.event === 'ack' && e.upload === upload);
            const assembled = events.find((e) => e.event === 'assembled' && e.upload === upload);
            const published = events.find((e) => e.event === 'published' && e.upload === upload);
            const all = Array.from({ length: PARTS_PER_UPLOAD }, (_, i) => i + 1);
            if (assembled?.event === 'assembled') {
              // An acknowledged manifest reads back exactly, whatever happened after it.
              expect(await mismatches(store, assembled.handle, upload, all)).toEqual({ size: sizeOf(upload, all), wrong: 0 });
            }
            if (published) {
              const record = await store.readRecord(`object/${name}`);
              expect(record && new TextDecoder().decode(record.value)).toBe(assembled?.event === 'assembled' ? assembled.handle : undefined);
            }
            // Every acknowledged part is there with exact bytes; an unacknowledged one is either
            // wholly there (killed after it became durable) or invisible — never partial.
            for (const part of all) {
              const ack = acks.find((a) => a.part === part);
              const ref = { partId: partIdOf(part), size: partSize(upload, part) };
              const handle = await store.assemble(name, [ref]).catch((error: unknown) => {
                if (ack) throw error;
                expect(error).toBeInstanceOf(MissingPartError);
                return undefined;
              });
              if (handle) expect(await mismatches(store, handle, upload, [part])).toEqual({ size: ref.size, wrong: 0 });
            }
            // Recovery: discard(upload) collects every staged part no manifest uses.
            await store.discard(name);
          }
        } finally {
          await store.close();
        }
        // Only what manifests use is left: no `writing` parts, no orphan or superseded chunks.
        expect(await unfinishedParts(dir.path)).toEqual([]);
        const keys = await rawKeys(dir.path);
        const partKeys = keys.filter((key) => key.startsWith('p\u0000'));
        expect(partKeys.every((key) => !key.includes('superseded'))).toBe(true);
        expect(keys.filter((key) => key.startsWith('d\u0000') && key.includes('superseded'))).toEqual([]);
      } finally {
        await dir.remove();
      }
    });
  }
});
