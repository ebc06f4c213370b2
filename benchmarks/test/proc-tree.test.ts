import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { nodeDescendants, processTree, treeCpuSeconds, treeRss } from '../lib/proc-tree.js';

describe('process tree from /proc', () => {
  it('finds a child node process and counts its CPU time in the tree', async () => {
    // A child that burns CPU for a moment, then waits to be killed.
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 300; while (Date.now() < end); setInterval(() => {}, 1000); process.stdout.write("busy done\\n")'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await once(child.stdout, 'data');
      const tree = processTree(process.pid);
      expect(tree[0]).toBe(process.pid);
      expect(tree).toContain(child.pid);
      expect(nodeDescendants(process.pid)).toContain(child.pid);
      // The child alone spent ≥ 0.2 s of CPU; the tree includes it.
      expect(treeCpuSeconds([child.pid!])).toBeGreaterThanOrEqual(0.2);
      expect(treeCpuSeconds([process.pid])).toBeGreaterThan(treeCpuSeconds([child.pid!]));
      expect(treeRss([process.pid])).toBeGreaterThan(treeRss([child.pid!]));
    } finally {
      child.kill('SIGKILL');
    }
  });
});
