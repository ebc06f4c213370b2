import { describe, expect, it } from 'vitest';
import { type BatchTarget, GroupCommit, type WriteOp } from '../src/group-commit.js';

/** A fake database whose batches finish only when the test says so. */
class GatedDb implements BatchTarget {
  readonly batches: { ops: WriteOp[]; sync: boolean }[] = [];
  readonly #gates: { resolve: () => void; reject: (error: Error) => void }[] = [];

  batch(ops: WriteOp[], options: { sync: boolean }): Promise<void> {
    this.batches.push({ ops, sync: options.sync });
    return new Promise((resolve, reject) => this.#gates.push({ resolve, reject }));
  }

  finish(error?: Error): void {
    const gate = this.#gates.shift();
    if (error) gate?.reject(error);
    else gate?.resolve();
  }
}

const put = (n: number): WriteOp => ({ type: 'put', key: Uint8Array.of(n), value: Uint8Array.of(n) });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('sends a lone write at once, and groups writes that arrive while a batch is in flight', async () => {
    const db = new GatedDb();
    const commit = new GroupCommit(db);
    const first = commit.write([put(1)]);
    await tick();
    expect(db.batches).toHaveLength(1);
    const later = [commit.write([put(2)]), commit.write([put(3), put(4)]), commit.write([{ type: 'del', key: Uint8Array.of(5) }])];
    await tick();
    expect(db.batches).toHaveLength(1); // waiting for the first fsync
    db.finish();
    await first;
    await tick();
    expect(db.batches).toHaveLength(2);
    expect(db.batches[1]!.ops.map((op) => op.key[0])).toEqual([2, 3, 4, 5]);
    expect(db.batches.every((batch) => batch.sync)).toBe(true);
    db.finish();
    await Promise.all(later);
  });

  it('fails every write of a failed group, and carries on with the next', async () => {
    const db = new GatedDb();
    const commit = new GroupCommit(db);
    const first = commit.write([put(1)]);
    const grouped = [commit.write([put(2)]), commit.write([put(3)])];
    await tick();
    db.finish();
    await first;
    await tick();
    db.finish(new Error('disk full'));
    for (const write of grouped) await expect(write).rejects.toThrow('disk full');
    const after = commit.write([put(4)]);
    await tick();
    db.finish();
    await after;
    expect(db.batches.map((batch) => batch.ops.length)).toEqual([1, 2, 1]);
  });
});
