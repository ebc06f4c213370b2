import type { StoreCapabilities } from '@mpu/core';
import { expect } from 'vitest';
import { chunked, collect, generatedBytes } from './generated-bytes.js';
import type { SuiteContext } from './suite-context.js';

// JSON has no Infinity; capabilities use it for "unbounded", so it travels as a string.
const encodeInfinity = (_key: string, value: unknown): unknown => (value === Infinity ? 'Infinity' : value);
const decodeInfinity = (_key: string, value: unknown): unknown => (value === 'Infinity' ? Infinity : value);

function expectPlainCapabilities(capabilities: StoreCapabilities): void {
  const prototype = Object.getPrototypeOf(capabilities) as unknown;
  expect(prototype === Object.prototype || prototype === null, 'capabilities is a plain object').toBe(true);
  const roundTrip = JSON.parse(JSON.stringify(capabilities, encodeInfinity), decodeInfinity) as unknown;
  expect(roundTrip).toEqual({ ...capabilities });
  expect(capabilities.name).toMatch(/^[a-z][a-z0-9-]*$/);
  expect(['zero-copy', 'server-copy', 'local-copy']).toContain(capabilities.assembly);
  // S3 parts reach 5 GiB; a backend below 5 MiB could not hold even the smallest S3 part.
  expect(Number.isSafeInteger(capabilities.maxPartSize)).toBe(true);
  expect(capabilities.maxPartSize).toBeGreaterThanOrEqual(5 * 1024 * 1024);
  expect(capabilities.maxAssembleParts === Infinity || Number.isSafeInteger(capabilities.maxAssembleParts)).toBe(true);
  expect(capabilities.maxAssembleParts).toBeGreaterThanOrEqual(1);
  expect(capabilities.maxRecordKeyBytes === Infinity || Number.isSafeInteger(capabilities.maxRecordKeyBytes)).toBe(true);
  expect(capabilities.maxRecordKeyBytes).toBeGreaterThanOrEqual(512);
  expect(typeof capabilities.shared).toBe('boolean');
  expect(typeof capabilities.durable).toBe('boolean');
  for (const [limit, source] of Object.entries(capabilities.limitSources ?? {})) {
    expect(typeof source, `limitSources.${limit}`).toBe('string');
  }
}

export function durabilityTests({ test, withStore }: SuiteContext): void {
  test('capabilities/plain-data', 'capabilities are plain, JSON-serialisable data with sane values', () =>
    withStore(async ({ store }) => {
      expectPlainCapabilities(store.capabilities);
    }));

  test('durability/reopen', 'records, staged parts and assembled objects survive close and reopen', () =>
    withStore(async (session) => {
      if (!session.canReopen) {
        // Only a store that claims nothing about durability may skip proving it.
        expect(session.store.capabilities.durable, 'a durable store needs harness.reopen').toBe(false);
        return;
      }
      const value = generatedBytes(300, 1);
      const version = await session.store.writeRecord('d/record', value);
      await session.store.writeRecord('d/deleted', value);
      await session.store.deleteRecord('d/deleted');
      const p1 = generatedBytes(1000, 2);
      const p2 = generatedBytes(10, 3);
      const p3 = generatedBytes(2000, 4);
      await session.store.writePart('u-dur', 'p1', chunked(p1, [333]));
      await session.store.writePart('u-dur', 'p2', chunked(p2));
      // Staged under another upload: the engine assembles each upload once (Azure's one data
      // blob per upload can do no more), so survival of staged parts is checked on an upload
      // that is assembled only after the reopen, as a Complete after a restart would.
      await session.store.writePart('u-dur-staged', 'p3', chunked(p3));
      const handle = await session.store.assemble('u-dur', [{ partId: 'p1', size: 1000 }, { partId: 'p2', size: 10 }]);

      const store = await session.reopen();
      const record = await store.readRecord('d/record');
      expect(record?.version).toBe(version);
      expect(Buffer.from(record!.value).equals(Buffer.from(value))).toBe(true);
      expect(await store.readRecord('d/deleted')).toBeUndefined();
      await expect(store.writeRecord('d/record', value, { ifVersion: version })).resolves.toBeTypeOf('string');
      const whole = await collect(store.read(handle));
      expect(Buffer.from(whole).equals(Buffer.concat([p1, p2]))).toBe(true);
      const straddle = await collect(store.read(handle, { start: 999, end: 1000 }));
      expect(Array.from(straddle)).toEqual([p1[999], p2[0]]);
      const later = await store.assemble('u-dur-staged', [{ partId: 'p3', size: 2000 }]);
      expect(Buffer.from(await collect(store.read(later))).equals(Buffer.from(p3))).toBe(true);
    }));
}
