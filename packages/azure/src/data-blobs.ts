import { createHash } from 'node:crypto';
import type { BlockBlobClient, BlockBlobGetBlockListResponse, BlockList, ContainerClient } from '@azure/storage-blob';
import { type ByteRange, type DataHandle, RangeOutOfBoundsError, type PartRef, UnknownHandleError, type WritePartOptions } from '@mpu/core';
import { blockId, discardMarkerId, parseBlockId, partDigest } from './block-ids.js';
import { isConditionFailure, isNotFound, statusOf, toStoreError } from './azure-errors.js';
import { cutBlocks } from './fixed-blocks.js';
import { decodeKey, encodeKey, InvalidEncodedKeyError } from './key-encoding.js';
import { blockIdsForParts } from './part-blocks.js';

/** Committed blocks per block blob. https://learn.microsoft.com/rest/api/storageservices/put-block-list#remarks */
export const MAX_BLOCKS_PER_BLOB = 50_000;
const HANDLE_PREFIX = 'data/';
/** Content of a discard marker block (1 byte: Azure does not document empty blocks). */
const DISCARD_MARKER = Buffer.from([0]);

export interface StagingOptions {
  readonly blockSize: number;
  readonly stageConcurrency: number;
  readonly transactionalMd5: boolean;
}

/** Thrown when a part or an object would need more blocks than one blob can hold. */
export class TooManyBlocksError extends RangeError {
  override readonly name = 'TooManyBlocksError';
  constructor(
    readonly upload: string,
    readonly blocks: number,
  ) {
    super(`upload ${JSON.stringify(upload)} needs ${blocks} blocks; an Azure block blob holds at most ${MAX_BLOCKS_PER_BLOB}`);
  }
}

/** Thrown when an upload's blob is already committed with a different part list. */
export class AlreadyAssembledError extends Error {
  override readonly name = 'AlreadyAssembledError';
  constructor(readonly upload: string) {
    super(
      `upload ${JSON.stringify(upload)} is already assembled with other parts; ` +
        'committing again would change the bytes under the published handle',
    );
  }
}

/**
 * Part data: every upload stages its parts as blocks on its OWN data blob
 * `<prefix>data/<encoded upload>`, and `assemble` commits the listed block IDs (Put Block
 * List) — no byte copied. One blob per upload matters: committing a block list discards every
 * other uncommitted block of that blob, so two uploads of one S3 key must never share a blob.
 * The data handle names that blob.
 */
export class DataBlobs {
  readonly #container: ContainerClient;
  readonly #prefix: string;
  readonly #blockSize: number;
  readonly #stageConcurrency: number;
  readonly #transactionalMd5: boolean;

  constructor(container: ContainerClient, storePrefix: string, options: StagingOptions) {
    this.#container = container;
    this.#prefix = storePrefix;
    this.#blockSize = options.blockSize;
    this.#stageConcurrency = options.stageConcurrency;
    this.#transactionalMd5 = options.transactionalMd5;
  }

  get maxPartSize(): number {
    return this.#blockSize * MAX_BLOCKS_PER_BLOB;
  }

  handleOf(upload: string): DataHandle {
    return HANDLE_PREFIX + encodeKey(upload);
  }

  /** The data blob of an upload, or of a handle. */
  blobOf(handle: DataHandle): BlockBlobClient {
    return this.#container.getBlockBlobClient(this.#prefix + handle);
  }

  async writePart(
    upload: string,
    partId: string,
    body: AsyncIterable<Uint8Array>,
    options: WritePartOptions,
  ): Promise<{ readonly size: number }> {
    const { signal } = options;
    signal?.throwIfAborted();
    const blob = this.blobOf(this.handleOf(upload));
    const digest = partDigest(upload, partId);
    const inFlight = new Set<Promise<void>>();
    let failure: { error: unknown } | undefined;
    const stage = async (index: number, bytes: Buffer, last: boolean): Promise<void> => {
      try {
        await blob.stageBlock(blockId(digest, index, last), bytes, bytes.byteLength, {
          abortSignal: signal,
          // The service verifies the block against this MD5 and rejects a corrupted request.
          transactionalContentMD5: this.#transactionalMd5 ? createHash('md5').update(bytes).digest() : undefined,
        });
      } catch (error) {
        failure ??= { error: toStoreError(error, 'stage block') };
      }
    };
    let index = 0;
    let size = 0;
    try {
      for await (const { bytes, last } of cutBlocks(body, this.#blockSize)) {
        signal?.throwIfAborted();
        if (failure) break;
        if (index >= MAX_BLOCKS_PER_BLOB) throw new TooManyBlocksError(upload, index + 1);
        size += bytes.byteLength;
        const staging = stage(index++, bytes, last).finally(() => inFlight.delete(staging));
        inFlight.add(staging);
        // Back-pressure: the body is not read further while the window is full.
        if (inFlight.size >= this.#stageConcurrency) await Promise.race(inFlight);
      }
    } finally {
      // Never leave a request running behind a failed or aborted part.
      await Promise.all(inFlight);
    }
    if (failure) throw failure.error;
    signal?.throwIfAborted();
    return { size };
  }

  async assemble(upload: string, parts: readonly PartRef[]): Promise<DataHandle> {
    const handle = this.handleOf(upload);
    const blob = this.blobOf(handle);
    const list = await this.#blockList(blob, 'all');
    const ids = blockIdsForParts(upload, parts, list ?? {});
    if (ids.length > MAX_BLOCKS_PER_BLOB) throw new TooManyBlocksError(upload, ids.length);
    const committed = (list?.committedBlocks ?? []).map((block) => block.name);
    if (committed.length > 0) {
      // Idempotent retry (e.g. after a crash between assemble and publishing the object).
      if (sameIds(committed, ids)) return handle;
      throw new AlreadyAssembledError(upload);
    }
    try {
      // Put Block List: the blob becomes exactly these blocks, and every other uncommitted
      // block of this upload (superseded or unlisted parts) is discarded by Azure.
      await blob.commitBlockList(ids);
    } catch (error) {
      throw toStoreError(error, 'commit block list');
    }
    return handle;
  }

  async *read(handle: DataHandle, range?: ByteRange): AsyncIterable<Uint8Array> {
    const blob = this.#blobOfIssuedHandle(handle);
    if (range && !(Number.isSafeInteger(range.start) && Number.isSafeInteger(range.end) && range.start >= 0 && range.start <= range.end)) {
      throw new RangeOutOfBoundsError(handle, range, await this.#sizeOf(handle));
    }
    let response;
    try {
      response = range ? await blob.download(range.start, range.end - range.start + 1) : await blob.download();
    } catch (error) {
      if (isNotFound(error)) throw new UnknownHandleError(handle);
      if (range && statusOf(error) === 416) throw new RangeOutOfBoundsError(handle, range, await this.#sizeOf(handle));
      throw toStoreError(error, 'download');
    }
    const body = response.readableStreamBody;
    // Azure serves a range running past the end as far as the end; the contract wants an error.
    const total = totalFromContentRange(response.contentRange) ?? response.contentLength ?? 0;
    if (range && range.end >= total) {
      (body as { destroy?: () => void } | undefined)?.destroy?.();
      throw new RangeOutOfBoundsError(handle, range, total);
    }
    if (!body) return;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) yield chunk;
    } catch (error) {
      throw toStoreError(error, 'download');
    }
  }

  /**
   * Without ids: removes what no assembled handle uses. An assembled blob keeps its committed
   * blocks (stray blocks of a part upload that raced Complete are dropped by re-committing the
   * same list); a never-assembled blob — an aborted or expired upload — is deleted with all
   * its uncommitted blocks, so nothing waits for Azure's 7-day garbage collection.
   *
   * With ids: Azure has no call that deletes one uncommitted block, and committing a list to
   * drop some would also drop the blocks of parts still being uploaded. So each named part
   * that still has uncommitted blocks gets a discard marker (see block-ids.ts): `assemble`
   * then refuses it, and its bytes are freed with the other uncommitted blocks at assemble
   * (Azure discards unlisted blocks) or when the upload's blob is deleted.
   */
  async discard(upload: string, partIds?: readonly string[]): Promise<void> {
    if (partIds !== undefined) return this.#markDiscarded(upload, partIds);
    const blob = this.blobOf(this.handleOf(upload));
    const props = await blob.getProperties().catch((error: unknown) => {
      if (isNotFound(error)) return undefined; // never committed (or gone)
      throw toStoreError(error, 'get properties');
    });
    if (props) {
      const list = await this.#blockList(blob, 'all');
      if (list) await this.#dropStrayBlocks(blob, list, props.etag);
      return;
    }
    const uncommitted = (await this.#blockList(blob, 'uncommitted'))?.uncommittedBlocks ?? [];
    if (uncommitted.length > 0) await this.#deleteUncommitted(blob);
  }

  async #markDiscarded(upload: string, partIds: readonly string[]): Promise<void> {
    if (partIds.length === 0) return;
    const blob = this.blobOf(this.handleOf(upload));
    const list = await this.#blockList(blob, 'all');
    if (!list) return;
    // Already assembled: every uncommitted block is a straggler (a part upload that raced
    // Complete), so re-committing the same list drops them all — no marker needed.
    if ((list.committedBlocks ?? []).length > 0) return this.#dropStrayBlocks(blob, list, list.etag);
    const staged = new Set<string>();
    for (const block of list.uncommittedBlocks ?? []) {
      const parsed = parseBlockId(block.name);
      if (parsed && !parsed.discarded) staged.add(parsed.partDigest);
    }
    for (const partId of partIds) {
      const digest = partDigest(upload, partId);
      if (!staged.has(digest)) continue; // nothing uncommitted: absent or empty
      try {
        await blob.stageBlock(discardMarkerId(digest), DISCARD_MARKER, DISCARD_MARKER.length);
      } catch (error) {
        throw toStoreError(error, 'stage discard marker');
      }
    }
  }

  /**
   * Re-commits an assembled blob's own committed list, which keeps its bytes and drops every
   * uncommitted block. `If-Match` keeps it from racing another writer of the blob.
   */
  async #dropStrayBlocks(blob: BlockBlobClient, list: BlockList, etag: string | undefined): Promise<void> {
    if ((list.uncommittedBlocks ?? []).length === 0 || etag === undefined) return;
    const committed = (list.committedBlocks ?? []).map((block) => block.name);
    try {
      await blob.commitBlockList(committed, { conditions: { ifMatch: etag } });
    } catch (error) {
      if (!isConditionFailure(error)) throw toStoreError(error, 'commit block list');
    }
  }

  async deleteData(handle: DataHandle): Promise<void> {
    const blob = this.#blobOfIssuedHandle(handle);
    try {
      await blob.deleteIfExists();
    } catch (error) {
      throw toStoreError(error, 'delete blob');
    }
  }

  /**
   * A blob with only uncommitted blocks is invisible to Get Blob, and Microsoft's docs do not
   * say that Delete Blob removes it (Azurite does); committing an empty list first (only if still uncommitted:
   * `If-None-Match: *`) makes it an ordinary empty blob that Delete Blob removes, blocks and
   * all. If an assemble committed first, the condition fails and the blob is kept.
   */
  async #deleteUncommitted(blob: BlockBlobClient): Promise<void> {
    let etag: string | undefined;
    try {
      etag = (await blob.commitBlockList([], { conditions: { ifNoneMatch: '*' } })).etag;
    } catch (error) {
      if (isConditionFailure(error)) return;
      throw toStoreError(error, 'commit empty block list');
    }
    try {
      await blob.delete({ conditions: { ifMatch: etag } });
    } catch (error) {
      if (isConditionFailure(error) || isNotFound(error)) return;
      throw toStoreError(error, 'delete blob');
    }
  }

  async #blockList(blob: BlockBlobClient, which: 'all' | 'committed' | 'uncommitted'): Promise<BlockBlobGetBlockListResponse | undefined> {
    try {
      return await blob.getBlockList(which);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw toStoreError(error, 'get block list');
    }
  }

  async #sizeOf(handle: DataHandle): Promise<number> {
    try {
      return (await this.blobOf(handle).getProperties()).contentLength ?? 0;
    } catch (error) {
      if (isNotFound(error)) throw new UnknownHandleError(handle);
      throw toStoreError(error, 'get properties');
    }
  }

  #blobOfIssuedHandle(handle: DataHandle): BlockBlobClient {
    if (!handle.startsWith(HANDLE_PREFIX)) throw new UnknownHandleError(handle);
    try {
      decodeKey(handle.slice(HANDLE_PREFIX.length));
    } catch (error) {
      if (error instanceof InvalidEncodedKeyError) throw new UnknownHandleError(handle);
      throw error;
    }
    return this.blobOf(handle);
  }
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, index) => id === b[index]);
}

/** Total size from `Content-Range: bytes 0-99/1234`. */
function totalFromContentRange(contentRange: string | undefined): number | undefined {
  const match = contentRange && /\/(\d+)$/.exec(contentRange);
  return match ? Number(match[1]) : undefined;
}
