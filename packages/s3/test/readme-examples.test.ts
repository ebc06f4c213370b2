import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = readFileSync(`${ROOT}README.md`, 'utf8');
const EXAMPLE_BLOCK = /<!-- example: (examples\/[\w.-]+) -->\n```ts\n([\s\S]*?)```\n/g;

// The README's mounting snippets are the tested files of examples/, verbatim: a snippet that
// stops compiling or working fails here or in mounting.test.ts.
describe('README code blocks', () => {
  const blocks = [...README.matchAll(EXAMPLE_BLOCK)].map((m) => [m[1] ?? '', m[2] ?? ''] as const);

  it('show every example file exactly once', () => {
    const files = readdirSync(`${ROOT}examples`).filter((f) => f.endsWith('.ts')).map((f) => `examples/${f}`).sort();
    expect(blocks.map(([path]) => path).sort()).toEqual(files);
  });

  it.each(blocks)('%s equals the file', (path, code) => {
    expect(code).toBe(readFileSync(`${ROOT}${path}`, 'utf8'));
  });
});
