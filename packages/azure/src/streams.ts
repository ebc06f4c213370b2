/** Collects a (small) response body. Only for records, never for part data. */
export async function readAll(body: NodeJS.ReadableStream | undefined): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}
