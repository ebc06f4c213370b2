import { RecordConditionFailedError } from '@mpu/core';
import type { GcsTestServer } from '@mpu/gcs-test-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GcsStore } from '../src/index.js';
import { openLocalStore, startLocalServer } from './local-server.js';

let server: GcsTestServer;
beforeAll(async () => {
  server = await startLocalServer();
});
afterAll(() => server.close());

const text = (value: string): Uint8Array => new TextEncoder().encode(value);

describe('records: one winner among 20 writers in 20 separate stores (processes sharing a bucket)', () => {
  async function stores(): Promise<GcsStore[]> {
    const first = await openLocalStore(server);
    const rest = await Promise.all(Array.from({ length: 19 }, () => openLocalStore(server, { prefix: first.prefix })));
    return [first, ...rest];
  }

  it('ifAbsent: exactly one create wins, the 19 others get RecordConditionFailedError', async () => {
    const all = await stores();
    const results = await Promise.allSettled(all.map((store, i) => store.writeRecord('race/create', text(`w${i}`), { ifAbsent: true })));
    const winners = results.flatMap((result, i) => (result.status === 'fulfilled' ? [{ i, version: result.value }] : []));
    expect(winners).toHaveLength(1);
    for (const result of results) if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(RecordConditionFailedError);
    const record = await all[5]!.readRecord('race/create');
    expect(new TextDecoder().decode(record!.value)).toBe(`w${winners[0]!.i}`);
    expect(record!.version).toBe(winners[0]!.version);
  });

  it('ifVersion: exactly one swap from the same version wins; versions are increasing generations', async () => {
    const all = await stores();
    const base = await all[0]!.writeRecord('race/swap', text('base'));
    const results = await Promise.allSettled(all.map((store, i) => store.writeRecord('race/swap', text(`w${i}`), { ifVersion: base })));
    const winners = results.filter((result) => result.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    const version = (winners[0] as PromiseFulfilledResult<string>).value;
    expect(BigInt(version) > BigInt(base)).toBe(true);
    // Chained swaps from 20 stores, each retrying on conflict: all 20 land, one at a time.
    await Promise.all(
      all.map(async (store, i) => {
        for (;;) {
          const current = (await store.readRecord('race/swap'))!;
          const count = Number(new TextDecoder().decode(current.value).split(':')[1] ?? 0);
          try {
            await store.writeRecord('race/swap', text(`n:${count + 1}:${i}`), { ifVersion: current.version });
            return;
          } catch (error) {
            if (!(error instanceof RecordConditionFailedError)) throw error;
          }
        }
      }),
    );
    expect(new TextDecoder().decode((await all[0]!.readRecord('race/swap'))!.value)).toMatch(/^n:20:/);
  });

  it('a conditional delete races a swap: exactly one of them wins', async () => {
    const [a, b] = await stores();
    const version = await a!.writeRecord('race/delete', text('v'));
    const outcome = await Promise.allSettled([a!.deleteRecord('race/delete', { ifVersion: version }), b!.writeRecord('race/delete', text('w'), { ifVersion: version })]);
    expect(outcome.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
  });
});
