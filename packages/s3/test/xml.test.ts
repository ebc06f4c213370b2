import { describe, expect, it } from 'vitest';
import { S3Error } from '@mpu/core';
import { parseCompleteBody } from '../src/operations/complete-multipart-upload.js';
import { parseLifecycleRules } from '../src/operations/bucket-lifecycle.js';
import { errorXml } from '../src/error-response.js';
import { escapeXml, parseXmlDocument, resultDocument } from '../src/xml.js';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof S3Error ? error.code : 'not-s3';
  }
  return undefined;
}

describe('request XML', () => {
  it('parses Complete bodies in any child order, with or without namespace, entities decoded', () => {
    const js = '<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag><ChecksumCRC32>NhCmhg==</ChecksumCRC32><PartNumber>2</PartNumber></Part></CompleteMultipartUpload>';
    expect(parseCompleteBody(js)).toEqual([{ partNumber: 2, etag: '"5d41402abc4b2a76b9719d911017c592"', checksums: { CRC32: 'NhCmhg==' } }]);
    const boto = '<CompleteMultipartUpload>\n  <Part><ETag>"a"</ETag><PartNumber>1</PartNumber></Part>\n  <Part><PartNumber>3</PartNumber><ETag>b</ETag></Part>\n</CompleteMultipartUpload>';
    expect(parseCompleteBody(boto).map((p) => [p.partNumber, p.etag])).toEqual([[1, '"a"'], [3, 'b']]);
    const prefixed = '<s3:CompleteMultipartUpload xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/"><s3:Part><s3:PartNumber>1</s3:PartNumber><s3:ETag>x</s3:ETag></s3:Part></s3:CompleteMultipartUpload>';
    expect(parseCompleteBody(prefixed)).toHaveLength(1);
  });

  it('decodes the five predefined entities and numeric references exactly once', () => {
    const root = parseXmlDocument('<Delete><Object><Key>&lt;a&gt; &amp;amp; &apos;&quot; &#65;&#x42; &amp;#67;</Key></Object></Delete>', 'Delete');
    expect(root.children.get('Object')?.[0]?.children.get('Key')?.[0]?.text).toBe('<a> &amp; \'" AB &#67;');
  });

  it('keeps whitespace inside values (keys may start or end with spaces)', () => {
    const root = parseXmlDocument('<Delete><Object><Key>  spaced  </Key></Object></Delete>', 'Delete');
    expect(root.children.get('Object')?.[0]?.children.get('Key')?.[0]?.text).toBe('  spaced  ');
  });

  it('rejects DOCTYPE, undeclared entities, wrong roots, empty and ill-formed bodies as MalformedXML', () => {
    expect(code(() => parseXmlDocument('<!DOCTYPE d [<!ENTITY x "y">]><Delete>&x;</Delete>', 'Delete'))).toBe('MalformedXML');
    expect(code(() => parseXmlDocument('<Delete>&nbsp;</Delete>', 'Delete'))).toBe('MalformedXML');
    expect(code(() => parseXmlDocument('<Other/>', 'Delete'))).toBe('MalformedXML');
    expect(code(() => parseXmlDocument('   ', 'Delete'))).toBe('MalformedXML');
    expect(code(() => parseXmlDocument('<Delete><a></Delete>', 'Delete'))).toBe('MalformedXML');
    expect(code(() => parseCompleteBody('<CompleteMultipartUpload></CompleteMultipartUpload>'))).toBe('MalformedXML');
    expect(code(() => parseCompleteBody('<CompleteMultipartUpload><Part><ETag>x</ETag></Part></CompleteMultipartUpload>'))).toBe('MalformedXML');
    expect(code(() => parseCompleteBody('<CompleteMultipartUpload><Part><PartNumber>one</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>'))).toBe('MalformedXML');
  });

  it('parses 10,000 parts with SHA-256 checksums within the default cap', () => {
    const part = (n: number) => `<Part><PartNumber>${n}</PartNumber><ETag>"79b281060d337b9b2b84ccf390adcf74"</ETag><ChecksumSHA256>oplo+tLngqqfIECjXwWtuX7Yl56x9XLIyOp4Y34nXzw=</ChecksumSHA256></Part>`;
    const body = `<CompleteMultipartUpload>${Array.from({ length: 10000 }, (_, i) => part(i + 1)).join('')}</CompleteMultipartUpload>`;
    expect(body.length).toBeLessThan(2 * 1024 * 1024);
    const parts = parseCompleteBody(body);
    expect(parts).toHaveLength(10000);
    expect(parts[9999]?.checksums?.SHA256).toBe('oplo+tLngqqfIECjXwWtuX7Yl56x9XLIyOp4Y34nXzw=');
  });

  it('parses lifecycle rules (Filter/Prefix, legacy Prefix, Disabled) and keeps other actions', () => {
    const rules = parseLifecycleRules(`<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
      <Rule><ID>abort</ID><Filter><Prefix>uploads/</Prefix></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>
      <Rule><ID>old</ID><Prefix>tmp/</Prefix><Status>Disabled</Status><Expiration><Days>30</Days></Expiration></Rule>
    </LifecycleConfiguration>`);
    expect(rules[0]).toMatchObject({ id: 'abort', status: 'Enabled', prefix: 'uploads/', abortIncompleteDaysAfterInitiation: 7 });
    expect(rules[1]).toMatchObject({ id: 'old', status: 'Disabled', prefix: 'tmp/', raw: [['Expiration', [['Days', '30']]]] });
    expect(code(() => parseLifecycleRules('<LifecycleConfiguration><Rule><Status>Maybe</Status></Rule></LifecycleConfiguration>'))).toBe('MalformedXML');
    expect(code(() => parseLifecycleRules('<LifecycleConfiguration><Rule><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>0</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>'))).toBe('InvalidArgument');
  });
});

describe('response XML', () => {
  it('result documents: declaration, namespace, escaped text, order as given', () => {
    expect(resultDocument('InitiateMultipartUploadResult', [['Bucket', 'b'], ['Key', 'a<&>"b'], undefined, ['UploadId', 'u']])).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>b</Bucket><Key>a&lt;&amp;&gt;"b</Key><UploadId>u</UploadId></InitiateMultipartUploadResult>',
    );
    expect(escapeXml('a\rb\u0001c\td')).toBe('a&#xD;b&#x1;c\td');
  });

  it('error documents: no namespace; Code, Message, details, Resource, RequestId, HostId', () => {
    const xml = errorXml({ status: 404, code: 'NoSuchUpload', message: 'm', details: { UploadId: 'u', Skipped: undefined }, unexpected: false }, 'RID', 'HID', '/b/k');
    expect(xml).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchUpload</Code><Message>m</Message><UploadId>u</UploadId><Resource>/b/k</Resource><RequestId>RID</RequestId><HostId>HID</HostId></Error>');
  });
});
