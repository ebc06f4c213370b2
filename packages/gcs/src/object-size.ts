/**
 * The size of a GCS object resource. The JSON API sends int64 fields as strings
 * (https://cloud.google.com/storage/docs/json_api/v1/objects#resource), and Google's own
 * emulator leaves zero-valued fields out entirely, so a 0-byte object may come without `size`.
 * Anything else that is not a non-negative integer is an answer we cannot trust.
 */
export function objectSizeOf(resource: { readonly size?: string | number }, name: string): number {
  if (resource.size === undefined) return 0;
  const size = Number(resource.size);
  if (!Number.isSafeInteger(size) || size < 0) throw new Error(`GCS answered size ${JSON.stringify(resource.size)} for ${name}`);
  return size;
}
