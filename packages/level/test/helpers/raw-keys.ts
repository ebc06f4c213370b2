import { Level } from 'level';

/** Every key in a (closed) LevelStore directory, as latin1 strings, for layout assertions. */
export async function rawKeys(location: string): Promise<string[]> {
  const db = new Level<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open({ createIfMissing: false });
  try {
    const keys: string[] = [];
    for await (const key of db.keys()) keys.push(Buffer.from(key).toString('latin1'));
    return keys;
  } finally {
    await db.close();
  }
}
