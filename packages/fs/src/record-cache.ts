/**
 * Recently read records, kept in memory up to a byte budget (oldest loaded go first), each
 * with the stamp of the file it came from (file-stamp.ts). Another process may replace any
 * record file at any time, so RecordTable checks the stamp (one stat) before using an entry:
 * one system call instead of the three of a read — the engine's Complete of 10,000 parts
 * lists 10,000 part records written minutes earlier, twice. Files stay the truth.
 */
interface Entry {
  readonly value: Uint8Array;
  readonly version: string;
  readonly stamp: string;
  readonly bytes: number;
}

/** Rough per-entry overhead (Map slot, strings, object headers) so tiny records count too. */
const ENTRY_OVERHEAD = 96;

export class RecordCache {
  readonly #entries = new Map<string, Entry>();
  #bytes = 0;

  constructor(private readonly budgetBytes: number) {}

  get(key: string): { readonly value: Uint8Array; readonly version: string; readonly stamp: string } | undefined {
    // No recency refresh on reads: moving an entry costs a Map delete + insert (measured ~6 µs
    // each on a 20,000-entry map), and the reads that matter (listing an upload's part records
    // at Complete) hit records written recently anyway. Eviction is by age of the last write.
    return this.#entries.get(key);
  }

  /** `value` must not be mutated afterwards (callers pass a private copy). */
  set(key: string, value: Uint8Array, version: string, stamp: string): void {
    this.delete(key);
    const bytes = value.byteLength + key.length * 2 + version.length * 2 + stamp.length * 2 + ENTRY_OVERHEAD;
    if (bytes > this.budgetBytes / 16) return; // one huge record must not flush everything else
    this.#entries.set(key, { value, version, stamp, bytes });
    this.#bytes += bytes;
    for (const [oldest, entry] of this.#entries) {
      if (this.#bytes <= this.budgetBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.bytes;
    }
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }
}
