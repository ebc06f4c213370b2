/** A part body of the given chunks, as the AsyncIterable the BlobStore contract takes. */
export async function* bodyOf(...chunks: readonly Uint8Array[]): AsyncIterable<Uint8Array> {
  for (const chunk of chunks) yield chunk;
}
