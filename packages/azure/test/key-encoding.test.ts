import { randomBytes } from 'node:crypto';
import { compareUtf8 } from '@mpu/core';
import { describe, expect, it } from 'vitest';
import { decodeKey, encodeBytes, encodeKey } from '../src/key-encoding.js';
import { MAX_BLOB_NAME_CHARS, RecordNames } from '../src/record-names.js';

const HOSTILE = ['', 'a', 'a/', 'a/.', '..', '\\', '\u0000', '\u0001\u001f', '\u007f', 'é', '\uFFFD', '\u{1F600}', 'a b', '%2F', '~', 'a'.repeat(300)];

function randomKey(): string {
  // Random code points across the planes, skipping surrogates (not UTF-8 encodable).
  return Array.from({ length: Math.floor(Math.random() * 8) }, () => {
    const pick = Math.random();
    const code = pick < 0.4 ? Math.floor(Math.random() * 0x80) : pick < 0.8 ? 0xe000 + Math.floor(Math.random() * 0x1fff) : 0x10000 + Math.floor(Math.random() * 0xfffff);
    return String.fromCodePoint(code);
  }).join('');
}

describe('order-preserving key encoding', () => {
  it('round-trips hostile and random keys into the safe alphabet', () => {
    for (const key of [...HOSTILE, ...Array.from({ length: 500 }, randomKey)]) {
      const encoded = encodeKey(key);
      expect(encoded).toMatch(/^[-0-9A-Z_a-z]*$/);
      expect(decodeKey(encoded)).toBe(key);
    }
  });

  it('keeps UTF-8 byte order under plain code-unit comparison (how Azure sorts ASCII names)', () => {
    const keys = [...HOSTILE, ...Array.from({ length: 2000 }, randomKey)];
    const byBytes = [...keys].sort(compareUtf8).map(encodeKey);
    const byNames = keys.map(encodeKey).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(byNames).toEqual(byBytes);
  });

  it('keeps byte order for random byte strings, including prefixes of each other', () => {
    for (let round = 0; round < 2000; round++) {
      const a = randomBytes(Math.floor(Math.random() * 6));
      const b = Math.random() < 0.3 ? Buffer.concat([a, randomBytes(1 + Math.floor(Math.random() * 3))]) : randomBytes(Math.floor(Math.random() * 6));
      const ea = encodeBytes(a);
      const eb = encodeBytes(b);
      const expected = Math.sign(Buffer.compare(a, b));
      expect(Math.sign(ea < eb ? -1 : ea > eb ? 1 : 0)).toBe(expected);
    }
  });

  it('gives a listing prefix shared by every key with the prefix, short or long', () => {
    const names = new RecordNames('some/prefix/');
    for (const prefix of ['', 'a', 'ab', 'abc', 'abcd', 'é', 'objects/bucket/', 'x'.repeat(900)]) {
      const namePrefix = names.listingPrefixOf(prefix);
      for (const suffix of ['', 'x', '\u{1F600}', 'zz/zz', 'y'.repeat(1000)]) {
        expect(names.nameOf(prefix + suffix).startsWith(namePrefix)).toBe(true);
      }
    }
  });

  it('keeps every record name within 1,024 characters and spells out keys up to the head size', () => {
    const names = new RecordNames('');
    expect(names.headBytes).toBe(744);
    expect(names.parse(names.nameOf('a'.repeat(744)))).toEqual({ key: 'a'.repeat(744) });
    expect(names.parse(names.nameOf('a'.repeat(745)))).toHaveProperty('run');
    for (const key of ['a'.repeat(745), 'é'.repeat(1024), '\u{1F600}'.repeat(512)]) {
      expect(names.nameOf(key).length).toBeLessThanOrEqual(MAX_BLOB_NAME_CHARS);
    }
    expect(names.nameOf('a'.repeat(800))).not.toBe(names.nameOf('a'.repeat(801)));
    expect(names.parse('records/kfoo.txt')).toBeUndefined();
  });
});
