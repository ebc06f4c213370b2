import { Level } from 'level';

/** Every entry in a (closed) LevelStore directory, keys and values as latin1 strings. */
export async function rawEntries(location: string): Promise<[key: string, value: string][]> {
  const db = new Level<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open({ createIfMissing: false });
  try {
    const entries: [string, string][] = [];
    for await (const [key, value] of db.iterator()) entries.push([Buffer.from(key).toString('latin1'), Buffer.from(value).toString('latin1')]);
    return entries;
  } finally {
    await db.close();
  }
}

/** Every key in a (closed) LevelStore directory, as latin1 strings, for layout assertions. */
export async function rawKeys(location: string): Promise<string[]> {
  return (await rawEntries(location)).map(([key]) => key);
}

/** Part metas still marked `writing` (a part whose writer died). */
export async function unfinishedParts(location: string): Promise<string[]> {
  return (await rawEntries(location)).filter(([key, value]) => key.startsWith('p\u0000') && value.includes('"writing"')).map(([key]) => key);
}
