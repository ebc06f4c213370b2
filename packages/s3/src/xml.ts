import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { S3Error } from '@mpu/core';

/**
 * XML in both directions. Request bodies (CompleteMultipartUpload, Delete,
 * LifecycleConfiguration) are parsed namespace-agnostically with only the five predefined
 * entities (and numeric character references) decoded; response documents are built by hand
 * so element order is exactly what S3-MULTIPART.md shows.
 */

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';
const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

// ── building ─────────────────────────────────────────────────────────────────────────────

/**
 * Escapes character data (quotes stay literal: text nodes need no quote escaping, and the
 * S3-MULTIPART.md examples show `<ETag>"…"</ETag>`). C0 controls other than TAB/LF become numeric references (as AWS
 * does for keys with control characters) and CR is escaped so parsers do not fold it into LF.
 */
export function escapeXml(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[&<>\u0000-\u0008\u000b\u000c\u000d\u000e-\u001f]/g, (c) => {
    switch (c) {
      case '&': return '&amp;';
      case '<': return '&lt;';
      case '>': return '&gt;';
      default: return `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`;
    }
  });
}

/** A child element: `[name, text]` or `[name, children]`; undefined children are skipped. */
export type XmlChild = readonly [string, string | number | boolean | readonly (XmlChild | undefined)[]] | undefined;

function render(child: XmlChild): string {
  if (child === undefined) return '';
  const [name, content] = child;
  // A name may carry attributes (`Grantee xsi:type="Group"`); the end tag is the bare name.
  const end = name.split(' ', 1)[0];
  if (Array.isArray(content)) return `<${name}>${(content as readonly XmlChild[]).map(render).join('')}</${end}>`;
  return `<${name}>${escapeXml(String(content))}</${end}>`;
}

/** A whole result document whose root carries the S3 namespace. */
export function resultDocument(root: string, children: readonly XmlChild[]): string {
  return `${DECLARATION}\n<${root} xmlns="${S3_NAMESPACE}">${children.map(render).join('')}</${root}>`;
}

/** The `<Error>` document: no namespace on the root (botocore matches `root.tag == 'Error'`). */
export function errorDocument(children: readonly XmlChild[]): string {
  return `${DECLARATION}\n<Error>${children.map(render).join('')}</Error>`;
}

// ── parsing ──────────────────────────────────────────────────────────────────────────────

/** A parsed element: text or a map of child name → occurrences (always arrays). */
export interface XmlElement {
  readonly text: string;
  readonly children: ReadonlyMap<string, readonly XmlElement[]>;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Entities are decoded by `decodeEntities` below in one pass: the parser's own decoding skips
  // numeric references, and decoding in two passes would turn `&amp;#65;` into `A`.
  processEntities: false,
  htmlEntities: false,
  preserveOrder: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

type OrderedNode = Record<string, unknown>;

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: '\'' };

function decodeEntities(raw: string): string {
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw malformed(`bad character reference ${whole}`);
      return String.fromCodePoint(code);
    }
    const named = PREDEFINED[ref];
    if (named === undefined) throw malformed(`undeclared entity ${whole}`);
    return named;
  });
}

function toElement(nodes: readonly OrderedNode[]): XmlElement {
  let text = '';
  const children = new Map<string, XmlElement[]>();
  for (const node of nodes) {
    for (const [name, value] of Object.entries(node)) {
      if (name === ':@') continue;
      if (name === '#text') {
        text += decodeEntities(String(value));
        continue;
      }
      const list = children.get(name) ?? [];
      list.push(toElement(Array.isArray(value) ? (value as OrderedNode[]) : []));
      children.set(name, list);
    }
  }
  return { text, children };
}

function malformed(reason: string): S3Error {
  return new S3Error('MalformedXML', undefined, {}, { cause: new Error(reason) });
}

/**
 * Parses a request body into its root element. Empty, oversize (the caller enforces the cap
 * while reading), DOCTYPE-bearing or ill-formed documents are MalformedXML, as AWS answers.
 */
export function parseXmlDocument(body: string, expectedRoot: string): XmlElement {
  if (body.trim() === '') throw malformed('empty body');
  // DOCTYPE (and with it any entity declaration) is refused outright: no entity expansion,
  // no billion-laughs, and S3 bodies never legitimately carry one.
  if (/<!DOCTYPE|<!ENTITY/i.test(body)) throw malformed('DOCTYPE is not allowed');
  if (XMLValidator.validate(body) !== true) throw malformed('not well-formed');
  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(body) as OrderedNode[];
  } catch (error) {
    throw new S3Error('MalformedXML', undefined, {}, { cause: error });
  }
  const root = toElement(nodes);
  const rootNode = root.children.get(expectedRoot)?.[0];
  if (rootNode === undefined || root.children.size !== 1) throw malformed(`root element must be ${expectedRoot}`);
  return rootNode;
}

/** First child's text, or undefined when absent. */
export function childText(element: XmlElement, name: string): string | undefined {
  return element.children.get(name)?.[0]?.text;
}

export function childElements(element: XmlElement, name: string): readonly XmlElement[] {
  return element.children.get(name) ?? [];
}

/** A child only when its value is defined. */
export function optionalChild(name: string, value: string | number | boolean | undefined): XmlChild {
  return value === undefined ? undefined : [name, value];
}
