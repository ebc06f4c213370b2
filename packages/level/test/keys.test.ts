import { describe, expect, it } from 'vitest';
import {
  chunkKey, escapeComponent, partChunksRange, partIdOf, partMetaKey, partMetaRange, recordKey, recordKeyOf, recordRange,
} from '../src/keys.js';

const within = (key: Uint8Array, range: { gte?: Uint8Array; gt?: Uint8Array; lt: Uint8Array }): boolean =>
  (range.gte === undefined || Buffer.compare(key, range.gte) >= 0)
  && (range.gt === undefined || Buffer.compare(key, range.gt) > 0)
  && Buffer.compare(key, range.lt) < 0;

describe('key layout', () => {
  it('escapes ids so they contain no 00 byte and stay distinct', () => {
    const ids = ['a', 'a\u0000', 'a\u0001', 'a\u0000b', 'a\u0001\u0001', '', '\u0000'];
    const escaped = ids.map((id) => Buffer.from(escapeComponent(id)).toString('hex'));
    expect(new Set(escaped).size).toBe(ids.length);
    for (const hex of escaped) expect(Buffer.from(hex, 'hex').includes(0)).toBe(false);
  });

  it('orders chunk keys numerically and keeps each part range to its own chunks', () => {
    expect(Buffer.compare(chunkKey('u', 'p', 9), chunkKey('u', 'p', 10))).toBeLessThan(0);
    expect(Buffer.compare(chunkKey('u', 'p', 99_999), chunkKey('u', 'p', 100_000))).toBeLessThan(0);
    const range = partChunksRange('u', 'p');
    expect(within(chunkKey('u', 'p', 0), range)).toBe(true);
    expect(within(chunkKey('u', 'p', 5_000_000), range)).toBe(true);
    for (const [upload, part] of [['u', 'p2'], ['u', 'p\u0000'], ['u', 'p\u0001'], ['u\u0000p', ''], ['u2', 'p']] as const) {
      expect(within(chunkKey(upload, part, 0), range)).toBe(false);
    }
  });

  it('finds part ids back from meta keys, per upload only', () => {
    const range = partMetaRange('u\u0000');
    for (const id of ['x', 'x\u0000y', '\u0001', 'é']) {
      expect(within(partMetaKey('u\u0000', id), range)).toBe(true);
      expect(partIdOf('u\u0000', partMetaKey('u\u0000', id))).toBe(id);
    }
    expect(within(partMetaKey('u', 'x'), range)).toBe(false);
    expect(within(partMetaKey('u\u0000\u0000', 'x'), range)).toBe(false);
  });

  it('bounds record prefixes in UTF-8 byte order, with startAfter', () => {
    const range = recordRange('a/');
    for (const key of ['a/', 'a/\u0000', 'a/\u{10FFFF}', 'a/\uFFFF']) expect(within(recordKey(key), range)).toBe(true);
    for (const key of ['a', 'a0', 'b/', '\u{10FFFF}']) expect(within(recordKey(key), range)).toBe(false);
    const after = recordRange('a/', 'a/m');
    expect(within(recordKey('a/m'), after)).toBe(false);
    expect(within(recordKey('a/m\u0000'), after)).toBe(true);
    expect(recordKeyOf(recordKey('a/\u{1F600}'))).toBe('a/\u{1F600}');
  });
});
