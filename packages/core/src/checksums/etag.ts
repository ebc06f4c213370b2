import { createHash } from 'node:crypto';

/** Part ETag: quoted lower-case hex MD5 of the part's bytes (S3-MULTIPART.md §3.1). */
export function partEtag(md5: Uint8Array): string {
  return `"${Buffer.from(md5.buffer, md5.byteOffset, md5.byteLength).toString('hex')}"`;
}

/**
 * Multipart object ETag: MD5 over the *binary* 16-byte part digests in listed order, plus `-n`.
 * Clients (rclone) recompute this locally, so it must match AWS bit for bit.
 */
export function multipartEtag(partMd5s: readonly Uint8Array[]): string {
  const hash = createHash('md5');
  for (const md5 of partMd5s) hash.update(md5);
  return `"${hash.digest('hex')}-${partMd5s.length}"`;
}

/**
 * Canonical form for comparing ETags from Complete: clients send them quoted or unquoted, and
 * S3's case behaviour is undocumented, so one pair of quotes is dropped and hex compared lower-case.
 */
export function normalizeEtag(etag: string): string {
  const unquoted = etag.length >= 2 && etag.startsWith('"') && etag.endsWith('"') ? etag.slice(1, -1) : etag;
  return unquoted.toLowerCase();
}
