import { crc32cCombine } from '../crc32c.js';
import { badRequest, conditionNotMet, notFound } from '../gcs-error.js';
import { contentTypeFrom, metadataFrom, readJsonObject, sendJson } from '../http-util.js';
import { assertObjectName } from '../object-names.js';
import { parseInt64, preconditionsFrom } from '../preconditions.js';
import type { RequestContext } from '../request-context.js';
import { objectResource, type StoredObject } from '../stored-object.js';

/** https://cloud.google.com/storage/docs/json_api/v1/objects/compose : 1 to 32 source objects. */
export const MAX_COMPOSE_SOURCES = 32;

interface SourceRef {
  readonly name: string;
  readonly generation?: number;
  readonly ifGenerationMatch?: number;
}

function int64Field(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string') return parseInt64(field, value);
  throw badRequest(`Invalid value for ${field}.`);
}

function sourcesOf(body: Record<string, unknown>): SourceRef[] {
  const list = body.sourceObjects;
  if (list === undefined || (Array.isArray(list) && list.length === 0)) throw badRequest('Required field \'sourceObjects\' is missing or empty.', 'required');
  if (!Array.isArray(list)) throw badRequest('Invalid value for sourceObjects.');
  if (list.length > MAX_COMPOSE_SOURCES) {
    throw badRequest(`The number of source components provided (${list.length}) exceeds the maximum (${MAX_COMPOSE_SOURCES})`);
  }
  return list.map((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null) throw badRequest(`Invalid value for sourceObjects[${index}].`);
    const { name, generation, objectPreconditions } = entry as Record<string, unknown>;
    if (typeof name !== 'string') throw badRequest(`Required field 'sourceObjects[${index}].name' is missing.`, 'required');
    assertObjectName(name);
    const preconditions = (objectPreconditions ?? {}) as Record<string, unknown>;
    const ref: SourceRef = {
      name,
      generation: int64Field(generation, `sourceObjects[${index}].generation`),
      ifGenerationMatch: int64Field(preconditions.ifGenerationMatch, `sourceObjects[${index}].objectPreconditions.ifGenerationMatch`),
    };
    return ref;
  });
}

/**
 * POST /storage/v1/b/{bucket}/o/{destination}/compose — concatenates the sources without
 * moving bytes (chunks are shared), computes the combined CRC32C, gives no MD5, and sums
 * component counts. Sources are resolved and the destination written in one tick.
 */
export async function composeObject(ctx: RequestContext, bucket: string, destinationName: string): Promise<void> {
  assertObjectName(destinationName);
  ctx.state.bucket(bucket);
  const body = await readJsonObject(ctx.req);
  const sources = sourcesOf(body);
  const destination = (body.destination ?? {}) as Record<string, unknown>;
  if (typeof destination !== 'object') throw badRequest('Invalid value for destination.');
  const contentType = contentTypeFrom(destination.contentType) ?? 'application/octet-stream';
  const metadata = metadataFrom(destination.metadata, false) as Record<string, string> | undefined;
  const conditions = preconditionsFrom(ctx.query);

  const resolved: StoredObject[] = sources.map((source) => {
    const live = ctx.state.bucket(bucket).objects.get(source.name);
    // A missing source, or one whose generation is not the one named, is 404 in GCS.
    if (!live || (source.generation !== undefined && live.generation !== source.generation)) {
      throw notFound(`Object ${source.name} (generation: ${source.generation ?? 'live'}) not found.`);
    }
    if (source.ifGenerationMatch !== undefined && live.generation !== source.ifGenerationMatch) throw conditionNotMet();
    return live;
  });
  const composed = ctx.state.put(bucket, destinationName, conditions, (generation) => {
    const now = new Date().toISOString();
    let crc = 0;
    let size = 0;
    let componentCount = 0;
    const chunks: Buffer[] = [];
    for (const source of resolved) {
      crc = size === 0 ? source.crc32c : crc32cCombine(crc, source.crc32c, source.size);
      size += source.size;
      componentCount += source.componentCount ?? 1;
      chunks.push(...source.chunks);
    }
    return {
      bucket, name: destinationName, generation, metageneration: 1, chunks, size, crc32c: crc,
      componentCount, contentType, ...(metadata ? { metadata } : {}), timeCreated: now, updated: now,
    };
  });
  ctx.stats.count('objects.compose');
  sendJson(ctx.res, 200, objectResource(composed, ctx.baseUrl));
}
