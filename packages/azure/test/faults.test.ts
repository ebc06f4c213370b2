import { randomBytes } from 'node:crypto';
import { RecordConditionFailedError, TransientStoreError } from '@mpu/core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AzureStore } from '../src/index.js';
import { type AzureTestHarness, azureTestHarness, bytesOf, collect } from './azure-harness.js';
import { FaultProxy } from './fault-proxy.js';

/**
 * Fault injection through a loopback proxy: lost responses and 503s, to check what the SDK
 * retry policy does and what the store makes of it. Only meaningful against Azurite (the
 * proxy speaks plain HTTP), so against a real account the suite checks that and stops.
 */
const emulator = inject('azureIsEmulator');
let harness: AzureTestHarness;
let proxy: FaultProxy | undefined;
let store: AzureStore;
let proxiedConnectionString: string;

beforeAll(async () => {
  harness = await azureTestHarness();
  if (!emulator) return;
  const started = await FaultProxy.start(harness.connectionString);
  proxy = started.proxy;
  proxiedConnectionString = started.connectionString;
  store = await AzureStore.open({
    connectionString: started.connectionString,
    container: harness.container.containerName,
    prefix: `faults-${randomBytes(3).toString('hex')}/`,
    pipelineOptions: { retryOptions: { maxTries: 3, retryDelayInMs: 5, maxRetryDelayInMs: 20 } },
  });
});
afterAll(async () => {
  await proxy?.stop();
  await harness.cleanup();
});

const isPut = (fragment: string) => (req: { method?: string; url?: string }) => req.method === 'PUT' && (req.url ?? '').includes(fragment);

/** Adds a rule and returns a check that it fired as often as asked. */
function inject503OrLoss(rule: Parameters<FaultProxy['rules']['push']>[0]): () => void {
  proxy!.rules.push(rule);
  return () => expect(rule.times ?? 0, 'the fault was injected').toBe(0);
}

if (emulator) describe('AzureStore under injected faults', () => {
  it('a conditional create whose response was lost is retried and reported as won, not as a conflict', async () => {
    const fired = inject503OrLoss({ match: isPut('/records/'), fault: 'lose-response' });
    const version = await store.writeRecord('lost-create', Buffer.from('mine'), { ifAbsent: true });
    fired();
    const record = await store.readRecord('lost-create');
    expect(record?.version).toBe(version);
    expect(Buffer.from(record!.value).toString()).toBe('mine');
    // A real conflict is still a conflict.
    await expect(store.writeRecord('lost-create', Buffer.from('theirs'), { ifAbsent: true })).rejects.toBeInstanceOf(RecordConditionFailedError);
  });

  it('a swap whose response was lost is retried and reported as won', async () => {
    const v1 = await store.writeRecord('lost-swap', Buffer.from('one'));
    const fired = inject503OrLoss({ match: isPut('/records/'), fault: 'lose-response' });
    const v2 = await store.writeRecord('lost-swap', Buffer.from('two'), { ifVersion: v1 });
    fired();
    expect((await store.readRecord('lost-swap'))?.version).toBe(v2);
    await expect(store.writeRecord('lost-swap', Buffer.from('x'), { ifVersion: v1 })).rejects.toBeInstanceOf(RecordConditionFailedError);
  });

  it('a staged block that met a 503 is re-sent from its buffer by the SDK retry', async () => {
    const fired = inject503OrLoss({ match: isPut('comp=block&'), fault: 'busy', times: 2 });
    await store.writePart('busy-upload', 'p', bytesOf('resent', ' intact'));
    fired();
    const handle = await store.assemble('busy-upload', [{ partId: 'p', size: 13 }]);
    expect((await collect(store.read(handle))).toString()).toBe('resent intact');
  });

  it('a failure that outlasts the SDK retries surfaces as TransientStoreError with the cause', async () => {
    const fired = inject503OrLoss({ match: isPut('comp=blocklist'), fault: 'busy', times: 3 });
    await store.writePart('down', 'p', bytesOf('x'));
    const failure = await store.assemble('down', [{ partId: 'p', size: 1 }]).catch((error: unknown) => error);
    fired();
    expect(failure).toBeInstanceOf(TransientStoreError);
    expect((failure as Error).cause).toMatchObject({ statusCode: 503 });
    // Once the service is back, the same call succeeds.
    expect((await collect(store.read(await store.assemble('down', [{ partId: 'p', size: 1 }])))).toString()).toBe('x');
  });

  it('a block corrupted in transit is refused by its transactional MD5, and the part fails', async () => {
    const fired = inject503OrLoss({ match: isPut('comp=block&'), fault: 'corrupt-body' });
    const failure = await store.writePart('corrupt', 'p', bytesOf('payload')).catch((error: unknown) => error);
    fired();
    expect(failure).toMatchObject({ statusCode: 400 });
    expect(failure).not.toBeInstanceOf(TransientStoreError);
    await expect(store.assemble('corrupt', [{ partId: 'p', size: 7 }])).rejects.toThrow();
  });

  it('pages through records without re-listing from the start (resume markers)', async () => {
    const paged = await AzureStore.open({
      connectionString: proxiedConnectionString,
      container: harness.container.containerName,
      prefix: `paging-${randomBytes(3).toString('hex')}/`,
      listPageSize: 10,
    });
    const keys = Array.from({ length: 100 }, (_, i) => `key-${String(i).padStart(3, '0')}`);
    await Promise.all(keys.map((key) => paged.writeRecord(key, Buffer.from(key))));
    const listCalls = () => proxy!.requests.filter((r) => r.startsWith('GET') && r.includes('comp=list')).length;
    const before = listCalls();
    const seen: string[] = [];
    let startAfter: string | undefined;
    for (;;) {
      const page: string[] = [];
      for await (const record of paged.listRecords('key-', { ...(startAfter === undefined ? {} : { startAfter }), limit: 10 })) page.push(record.key);
      if (page.length === 0) break;
      seen.push(...page);
      startAfter = page.at(-1);
    }
    expect(seen).toEqual(keys);
    // 11 calls (the last one finds nothing) of about one or two pages each, not 1 + 2 + … + 10.
    expect(listCalls() - before).toBeLessThanOrEqual(22);
  });

  it('client errors are not marked transient', async () => {
    const failure = await collect(store.read('data/-', { start: 5, end: 1 })).catch((error: unknown) => error);
    expect(failure).not.toBeInstanceOf(TransientStoreError);
  });
});

else describe('AzureStore fault injection on a real account', () => {
  it('is not registered: the fault proxy only fronts Azurite over plain HTTP', () => {
    expect(emulator).toBe(false);
  });
});
