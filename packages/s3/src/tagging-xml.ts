import { S3Error } from '@mpu/core';
import type { Tag } from '@mpu/core';
import { childElements, childText, parseXmlDocument, resultDocument } from './xml.js';

/** The `Tagging/TagSet/Tag` document of object and bucket tagging, both ways. */

export function parseTaggingDocument(body: string): Tag[] {
  const root = parseXmlDocument(body, 'Tagging');
  const sets = childElements(root, 'TagSet');
  if (sets.length !== 1) throw new S3Error('MalformedXML', undefined, {}, { cause: new Error('exactly one TagSet is required') });
  return childElements(sets[0]!, 'Tag').map((tag) => {
    const key = childText(tag, 'Key');
    const value = childText(tag, 'Value');
    if (key === undefined || value === undefined) {
      throw new S3Error('MalformedXML', undefined, {}, { cause: new Error('each Tag needs a Key and a Value') });
    }
    return { key, value };
  });
}

export function taggingDocument(tags: readonly Tag[]): string {
  return resultDocument('Tagging', [['TagSet', tags.map((t) => ['Tag', [['Key', t.key], ['Value', t.value]]] as const)]]);
}
