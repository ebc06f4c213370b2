import type { EngineContext } from './engine-context.js';
import { type Tag, formatTaggingQuery, storedTags, validateTags } from './tagging.js';
import { readObject, updateObject } from './update-object.js';

/** Get/Put/DeleteObjectTagging: the tag set replaces the object's tags as a whole. */

export async function getObjectTagging(ctx: EngineContext, bucket: string, key: string): Promise<Tag[]> {
  return storedTags((await readObject(ctx, bucket, key)).attributes.tagging);
}

export async function putObjectTagging(ctx: EngineContext, bucket: string, key: string, tags: readonly Tag[]): Promise<void> {
  validateTags(tags, 'object');
  await updateObject(ctx, bucket, key, (record) => {
    const { tagging: _old, ...attributes } = record.attributes;
    return { ...record, attributes: tags.length === 0 ? attributes : { ...attributes, tagging: formatTaggingQuery(tags) } };
  });
}

export async function deleteObjectTagging(ctx: EngineContext, bucket: string, key: string): Promise<void> {
  await putObjectTagging(ctx, bucket, key, []);
}
