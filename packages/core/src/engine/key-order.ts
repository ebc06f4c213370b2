/**
 * UTF-8 byte order, the order S3 lists keys in and BlobStores list records in. JS `<` compares
 * UTF-16 code units, which puts astral characters (surrogates 0xD800–0xDFFF) before U+E000–U+FFFF;
 * comparing code points gives the UTF-8 byte order without encoding.
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** The common prefix `key` rolls up into (prefix up to and including the first delimiter after it). */
export function commonPrefixOf(key: string, prefix: string, delimiter: string | undefined): string | undefined {
  if (!delimiter) return undefined;
  const at = key.indexOf(delimiter, prefix.length);
  return at === -1 ? undefined : key.slice(0, at + delimiter.length);
}
