/**
 * Where to resume a listing. Azure's List Blobs has no portable "start after" (only an opaque
 * continuation marker), so a listing that asks for keys after K would otherwise list from the
 * start of the prefix and skip — paging through N records would cost O(N²) names. This
 * remembers, per (name prefix, key), the marker of the listing page that held that key, so
 * the next page request starts there. It is a per-process hint: a miss (another process, an
 * evicted entry) only costs the slow path, and the caller still filters by key, so a stale
 * marker cannot change what is returned.
 */
export class ListResumeMarkers {
  readonly #markers = new Map<string, string>();
  readonly #capacity: number;

  constructor(capacity = 1000) {
    this.#capacity = capacity;
  }

  get(namePrefix: string, key: string): string | undefined {
    return this.#markers.get(entry(namePrefix, key));
  }

  remember(namePrefix: string, key: string, marker: string): void {
    const name = entry(namePrefix, key);
    this.#markers.delete(name); // re-insert as the newest
    this.#markers.set(name, marker);
    if (this.#markers.size > this.#capacity) {
      const oldest = this.#markers.keys().next().value;
      if (oldest !== undefined) this.#markers.delete(oldest);
    }
  }

  forget(namePrefix: string, key: string): void {
    this.#markers.delete(entry(namePrefix, key));
  }
}

function entry(namePrefix: string, key: string): string {
  return `${namePrefix}\u0000${key}`;
}
