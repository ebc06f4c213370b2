import { crc32cBase64 } from './crc32c.js';

/** One live object generation. Bytes are kept as the chunks they arrived in (compose shares them). */
export interface StoredObject {
  readonly bucket: string;
  readonly name: string;
  readonly generation: number;
  readonly metageneration: number;
  readonly chunks: readonly Buffer[];
  readonly size: number;
  readonly crc32c: number;
  /** Absent for composite objects: GCS gives them no MD5. */
  readonly md5?: Buffer;
  /** Present only for composite objects. */
  readonly componentCount?: number;
  readonly contentType: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly timeCreated: string;
  readonly updated: string;
}

/** The JSON-API object resource (`storage#object`); int64 fields are strings, as in GCS. */
export function objectResource(object: StoredObject, baseUrl: string): Record<string, unknown> {
  const encodedName = encodeURIComponent(object.name);
  const resource: Record<string, unknown> = {
    kind: 'storage#object',
    id: `${object.bucket}/${object.name}/${object.generation}`,
    selfLink: `${baseUrl}/storage/v1/b/${object.bucket}/o/${encodedName}`,
    mediaLink: `${baseUrl}/download/storage/v1/b/${object.bucket}/o/${encodedName}?generation=${object.generation}&alt=media`,
    name: object.name,
    bucket: object.bucket,
    generation: String(object.generation),
    metageneration: String(object.metageneration),
    contentType: object.contentType,
    storageClass: 'STANDARD',
    crc32c: crc32cBase64(object.crc32c),
    etag: etagOf(object),
    timeCreated: object.timeCreated,
    updated: object.updated,
    timeStorageClassUpdated: object.timeCreated,
  };
  // Google's own emulator (storage-testbench) serialises the resource from protobuf, whose JSON
  // mapping leaves out zero values: a 0-byte object comes back with no `size`. Doing the same
  // keeps clients honest about a field the JSON API does not promise.
  if (object.size !== 0) resource.size = String(object.size);
  if (object.md5) resource.md5Hash = object.md5.toString('base64');
  if (object.componentCount !== undefined) resource.componentCount = object.componentCount;
  if (object.metadata) resource.metadata = { ...object.metadata };
  return resource;
}

/** GCS ETags are opaque and change with generation and metageneration. */
export function etagOf(object: StoredObject): string {
  return Buffer.from(`${object.generation}/${object.metageneration}`).toString('base64');
}

/** `X-Goog-Hash`: crc32c always, md5 only for non-composite objects. */
export function googHash(object: StoredObject): string {
  const parts = [`crc32c=${crc32cBase64(object.crc32c)}`];
  if (object.md5) parts.push(`md5=${object.md5.toString('base64')}`);
  return parts.join(',');
}
