import {
  type BlobStore, type ByteRange, type DataHandle, type ListRecordsOptions, type PartRef, type RecordCondition,
  type StoreCapabilities, type StoredRecord, TransientStoreError, type WritePartOptions,
} from './blob-store.js';

/** The BlobStore methods a FaultyStore can disturb (`close` is never faulted). */
export type FaultableMethod =
  | 'readRecord' | 'writeRecord' | 'deleteRecord' | 'listRecords'
  | 'writePart' | 'assemble' | 'read' | 'discard' | 'deleteData';

export const FAULTABLE_METHODS: readonly FaultableMethod[] = [
  'readRecord', 'writeRecord', 'deleteRecord', 'listRecords', 'writePart', 'assemble', 'read', 'discard', 'deleteData',
];

/**
 * One disturbance of one call:
 * - `fail`: the call rejects. `when: 'before'` (default) — the inner store is never called;
 *   `'after'` — the inner call completes and *then* the caller sees the error: an
 *   acknowledgement lost on the way back, the fault that exposes non-idempotent recovery.
 *   `error: 'transient'` (default) throws `TransientStoreError` (what `withRetry` retries),
 *   `'plain'` a bare `Error`.
 * - `delay`: the call starts `ms` later (reorders racing operations).
 * - `cut`: a stream breaks after `after` units — bytes of a `writePart` body or of a `read`,
 *   records of a `listRecords`. On other methods it behaves as `fail`.
 */
export type Fault =
  | { readonly kind: 'fail'; readonly error?: 'transient' | 'plain'; readonly when?: 'before' | 'after' }
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'cut'; readonly after: number; readonly error?: 'transient' | 'plain' };

/** Probabilities (0..1) that a call of one method gets each kind of random fault. */
export interface FaultRates {
  readonly fail?: number;
  readonly delay?: number;
  readonly cut?: number;
}

export interface FaultyStoreOptions {
  /** Seed of the PRNG that draws random faults; the same seed and call sequence give the same faults. */
  readonly seed?: number;
  /** Random fault rates per method; methods not named get none. */
  readonly rates?: Partial<Record<FaultableMethod, FaultRates>>;
  /** Upper bound of a random delay, ms. Default 5. */
  readonly maxDelayMs?: number;
  /** Upper bound of a random cut point (bytes or records). Default 64. */
  readonly maxCutAfter?: number;
  /** Start with random faults off (scheduled faults still fire). Default false. */
  readonly paused?: boolean;
  /**
   * Errors random faults throw: `mixed` (default, half transient), or only `transient` (what a
   * cloud backend under `withRetry` sees: every failure retryable) or only `plain`.
   */
  readonly randomErrors?: 'mixed' | 'transient' | 'plain';
}

/** What a FaultyStore did, in call order; tests print it when a property fails. */
export interface InjectedFault {
  readonly method: FaultableMethod;
  /** 1-based call number of that method. */
  readonly call: number;
  readonly fault: Fault;
  /** Record key, upload or handle the call named, for reading a failure log. */
  readonly target: string;
}

/** Thrown by an injected fault; a TransientStoreError when the fault asked for one. */
export class InjectedFaultError extends Error {
  override readonly name = 'InjectedFaultError';
  constructor(readonly method: FaultableMethod, readonly call: number, readonly target: string) {
    super(`injected fault: ${method} call ${call} (${target})`);
  }
}

class InjectedTransientFaultError extends TransientStoreError {
  constructor(readonly method: FaultableMethod, readonly call: number, readonly target: string) {
    super(`injected transient fault: ${method} call ${call} (${target})`);
  }
}

function faultError(fault: Fault, method: FaultableMethod, call: number, target: string): Error {
  const plain = fault.kind !== 'delay' && fault.error === 'plain';
  return plain ? new InjectedFaultError(method, call, target) : new InjectedTransientFaultError(method, call, target);
}

/** mulberry32: small, fast, good enough to spread faults; deterministic from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A BlobStore decorator that fails, delays or cuts off calls — at random from a seed, at
 * configurable rates per method, and/or exactly where a test schedules it (`schedule`,
 * `failNext`). The cheapest chaos test: wrap any backend and run the engine over it.
 */
export class FaultyStore implements BlobStore {
  readonly #random: () => number;
  readonly #rates: Partial<Record<FaultableMethod, FaultRates>>;
  readonly #maxDelayMs: number;
  readonly #maxCutAfter: number;
  readonly #randomErrors: 'mixed' | 'transient' | 'plain';
  readonly #calls = new Map<FaultableMethod, number>();
  readonly #scheduled = new Map<string, Fault>();
  readonly #injected: InjectedFault[] = [];
  #paused: boolean;

  constructor(readonly inner: BlobStore, options: FaultyStoreOptions = {}) {
    this.#random = seededRandom(options.seed ?? 1);
    this.#rates = options.rates ?? {};
    this.#maxDelayMs = options.maxDelayMs ?? 5;
    this.#maxCutAfter = options.maxCutAfter ?? 64;
    this.#paused = options.paused ?? false;
    this.#randomErrors = options.randomErrors ?? 'mixed';
  }

  get capabilities(): StoreCapabilities {
    return this.inner.capabilities;
  }

  /** Random faults off (scheduled faults still fire): the "recovery" phase of a test. */
  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
  }

  /** Calls of `method` so far (faulted or not). */
  calls(method: FaultableMethod): number {
    return this.#calls.get(method) ?? 0;
  }

  /** Every fault injected so far, in order. */
  get injected(): readonly InjectedFault[] {
    return this.#injected;
  }

  /** Disturb the `call`-th call (1-based, counted since construction) of `method`. */
  schedule(method: FaultableMethod, call: number, fault: Fault): void {
    this.#scheduled.set(`${method}#${call}`, fault);
  }

  /** Disturb the next call of `method` (after skipping `skip` calls). */
  failNext(method: FaultableMethod, fault: Fault = { kind: 'fail' }, skip = 0): void {
    this.schedule(method, this.calls(method) + 1 + skip, fault);
  }

  /** Drop every scheduled fault not yet fired. */
  clearSchedule(): void {
    this.#scheduled.clear();
  }

  /** Counts the call and decides its fault: a scheduled one first, else a random draw. */
  #next(method: FaultableMethod, target: string): { fault: Fault | undefined; call: number } {
    const call = this.calls(method) + 1;
    this.#calls.set(method, call);
    const key = `${method}#${call}`;
    let fault = this.#scheduled.get(key);
    if (fault) this.#scheduled.delete(key);
    else if (!this.#paused) fault = this.#draw(method);
    if (fault) this.#injected.push({ method, call, fault, target });
    return { fault, call };
  }

  #draw(method: FaultableMethod): Fault | undefined {
    const rates = this.#rates[method];
    if (!rates) return undefined;
    const roll = this.#random();
    const fail = rates.fail ?? 0;
    const cut = rates.cut ?? 0;
    const delay = rates.delay ?? 0;
    const coin = this.#random();
    const error = this.#randomErrors === 'mixed' ? (coin < 0.5 ? 'transient' : 'plain') : this.#randomErrors;
    if (roll < fail) return { kind: 'fail', error, when: this.#random() < 0.5 ? 'before' : 'after' };
    if (roll < fail + cut) return { kind: 'cut', after: Math.floor(this.#random() * (this.#maxCutAfter + 1)), error };
    if (roll < fail + cut + delay) return { kind: 'delay', ms: Math.floor(this.#random() * (this.#maxDelayMs + 1)) };
    return undefined;
  }

  /** Runs a promise-returning call under its fault (`cut` behaves as `fail` before). */
  async #call<T>(method: FaultableMethod, target: string, operation: () => Promise<T>): Promise<T> {
    const { fault, call } = this.#next(method, target);
    if (!fault) return operation();
    if (fault.kind === 'delay') {
      await sleep(fault.ms);
      return operation();
    }
    if (fault.kind === 'fail' && fault.when === 'after') {
      await operation();
      throw faultError(fault, method, call, target);
    }
    throw faultError(fault, method, call, target);
  }

  /** A stream under its fault: `cut` yields `after` units then throws; `fail` throws at once. */
  async *#stream<T>(
    method: FaultableMethod, target: string, open: () => AsyncIterable<T>, units: (item: T) => number, slice?: (item: T, keep: number) => T,
  ): AsyncIterable<T> {
    const { fault, call } = this.#next(method, target);
    if (fault?.kind === 'delay') await sleep(fault.ms);
    else if (fault?.kind === 'fail') throw faultError(fault, method, call, target);
    const limit = fault?.kind === 'cut' ? fault.after : Infinity;
    let passed = 0;
    for await (const item of open()) {
      const size = units(item);
      if (passed + size > limit) {
        const keep = limit - passed;
        if (keep > 0 && slice) yield slice(item, keep);
        throw faultError(fault!, method, call, target);
      }
      passed += size;
      yield item;
    }
  }

  readRecord(key: string): Promise<StoredRecord | undefined> {
    return this.#call('readRecord', key, () => this.inner.readRecord(key));
  }

  writeRecord(key: string, value: Uint8Array, condition?: RecordCondition): Promise<string> {
    return this.#call('writeRecord', key, () => this.inner.writeRecord(key, value, condition));
  }

  deleteRecord(key: string, condition?: { readonly ifVersion: string }): Promise<void> {
    return this.#call('deleteRecord', key, () => this.inner.deleteRecord(key, condition));
  }

  listRecords(prefix: string, options?: ListRecordsOptions): AsyncIterable<StoredRecord> {
    return this.#stream('listRecords', prefix, () => this.inner.listRecords(prefix, options), () => 1);
  }

  async writePart(
    upload: string,
    partId: string,
    body: AsyncIterable<Uint8Array>,
    options?: WritePartOptions,
  ): Promise<{ readonly size: number }> {
    const target = `${upload}/${partId}`;
    const { fault, call } = this.#next('writePart', target);
    if (fault?.kind === 'cut') {
      // The body breaks after `after` bytes, as a client connection or a backend socket would.
      return this.inner.writePart(upload, partId, this.#cutBody(body, fault, call, target), options);
    }
    if (fault?.kind === 'delay') await sleep(fault.ms);
    if (fault?.kind === 'fail' && fault.when !== 'after') throw faultError(fault, 'writePart', call, target);
    const result = await this.inner.writePart(upload, partId, body, options);
    if (fault?.kind === 'fail') throw faultError(fault, 'writePart', call, target);
    return result;
  }

  async *#cutBody(body: AsyncIterable<Uint8Array>, fault: Fault & { kind: 'cut' }, call: number, target: string): AsyncIterable<Uint8Array> {
    let passed = 0;
    for await (const chunk of body) {
      if (passed + chunk.byteLength > fault.after) {
        const keep = fault.after - passed;
        if (keep > 0) yield chunk.subarray(0, keep);
        throw faultError(fault, 'writePart', call, target);
      }
      passed += chunk.byteLength;
      yield chunk;
    }
  }

  assemble(upload: string, parts: readonly PartRef[]): Promise<DataHandle> {
    return this.#call('assemble', upload, () => this.inner.assemble(upload, parts));
  }

  read(handle: DataHandle, range?: ByteRange): AsyncIterable<Uint8Array> {
    return this.#stream('read', handle, () => this.inner.read(handle, range), (chunk) => chunk.byteLength, (chunk, keep) => chunk.subarray(0, keep));
  }

  discard(upload: string, partIds?: readonly string[]): Promise<void> {
    return this.#call('discard', upload, () => this.inner.discard(upload, partIds));
  }

  deleteData(handle: DataHandle): Promise<void> {
    return this.#call('deleteData', handle, () => this.inner.deleteData(handle));
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
