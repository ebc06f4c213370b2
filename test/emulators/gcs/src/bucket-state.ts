import { conflict, notFound } from './gcs-error.js';
import { checkPreconditions, type Preconditions } from './preconditions.js';
import type { StoredObject } from './stored-object.js';

/** Names kept sorted by their UTF-8 bytes, the order GCS lists in. */
class SortedNames {
  readonly #entries: { readonly name: string; readonly bytes: Buffer }[] = [];

  #search(bytes: Buffer): number {
    let low = 0;
    let high = this.#entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (Buffer.compare(this.#entries[middle]!.bytes, bytes) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  insert(name: string): void {
    const bytes = Buffer.from(name, 'utf8');
    const index = this.#search(bytes);
    if (this.#entries[index]?.name !== name) this.#entries.splice(index, 0, { name, bytes });
  }

  remove(name: string): void {
    const index = this.#search(Buffer.from(name, 'utf8'));
    if (this.#entries[index]?.name === name) this.#entries.splice(index, 1);
  }

  /** Names from the first one whose bytes are >= `from` (all when undefined). */
  *from(from: Buffer | undefined): Iterable<{ readonly name: string; readonly bytes: Buffer }> {
    for (let i = from ? this.#search(from) : 0; i < this.#entries.length; i++) yield this.#entries[i]!;
  }
}

export interface Bucket {
  readonly name: string;
  readonly timeCreated: string;
  readonly objects: Map<string, StoredObject>;
  readonly names: SortedNames;
}

/**
 * All buckets and objects, in memory. Every check-and-write below is synchronous, so two
 * racing conditional requests are serialised by the event loop and exactly one wins.
 */
export class BucketState {
  readonly #buckets = new Map<string, Bucket>();
  #lastGeneration = 0;

  /** Generations look like GCS's (microseconds since the epoch), always increase, stay < 2^53. */
  nextGeneration(): number {
    this.#lastGeneration = Math.max(this.#lastGeneration + 1, Date.now() * 1000);
    return this.#lastGeneration;
  }

  createBucket(name: string): Bucket {
    if (this.#buckets.has(name)) {
      throw conflict('Your previous request to create the named bucket succeeded and you already own it.');
    }
    const bucket: Bucket = { name, timeCreated: new Date().toISOString(), objects: new Map(), names: new SortedNames() };
    this.#buckets.set(name, bucket);
    return bucket;
  }

  bucket(name: string): Bucket {
    const bucket = this.#buckets.get(name);
    if (!bucket) throw notFound('The specified bucket does not exist.');
    return bucket;
  }

  deleteBucket(name: string): void {
    const bucket = this.bucket(name);
    if (bucket.objects.size > 0) throw conflict('The bucket you tried to delete is not empty.');
    this.#buckets.delete(name);
  }

  /** The live object, or 404. */
  object(bucketName: string, name: string): StoredObject {
    const object = this.bucket(bucketName).objects.get(name);
    if (!object) throw notFound(`No such object: ${bucketName}/${name}`);
    return object;
  }

  /** Checks preconditions against the live object and writes `build(generation)` in one tick. */
  put(bucketName: string, name: string, conditions: Preconditions, build: (generation: number) => StoredObject): StoredObject {
    const bucket = this.bucket(bucketName);
    checkPreconditions(bucket.objects.get(name), conditions);
    const object = build(this.nextGeneration());
    bucket.objects.set(name, object);
    bucket.names.insert(name);
    return object;
  }

  /** Replaces the live object's metadata (same generation) after checking preconditions. */
  update(bucketName: string, name: string, conditions: Preconditions, change: (current: StoredObject) => StoredObject): StoredObject {
    const bucket = this.bucket(bucketName);
    const current = this.object(bucketName, name);
    checkPreconditions(current, conditions);
    const next = change(current);
    bucket.objects.set(name, next);
    return next;
  }

  delete(bucketName: string, name: string, conditions: Preconditions, generation?: number): void {
    const bucket = this.bucket(bucketName);
    const current = this.object(bucketName, name);
    if (generation !== undefined && current.generation !== generation) throw notFound(`No such object: ${bucketName}/${name}`);
    checkPreconditions(current, conditions);
    bucket.objects.delete(name);
    bucket.names.remove(name);
  }

  clear(): void {
    this.#buckets.clear();
  }
}
