// The cached workflow bundle workers start from: its key follows the workflow sources, a cached
// bundle is reused, and an unwritable cache falls back to an in-memory bundle.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cachedWorkflowBundle, workflowBundleKey, workflowSources } from '../workers/workflow-bundle.js';
import { workflowsPath } from '../workers/worker.js';
import { PROJECT_ROOT } from '../config/project-root.js';

// Inside the project, so that the bundler resolves @temporalio/workflow from its node_modules.
mkdirSync(join(PROJECT_ROOT, '.tmp'), { recursive: true });
const scratch = mkdtempSync(join(PROJECT_ROOT, '.tmp', 'bundle-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('workflow bundle cache', () => {
  it('hashes every file the workflows reach, type-only imports included', () => {
    const files = workflowSources(workflowsPath()).map((f) => relative(PROJECT_ROOT, f));
    expect(files).toEqual(
      expect.arrayContaining([
        'workflows/index.ts',
        'workflows/sweep.ts',
        'contracts/workflow.ts',
        'contracts/activities.ts',
        'contracts/retry.ts',
      ]),
    );
    expect(files.some((f) => f.startsWith('sgn/'))).toBe(false);
  });

  it('changes its key when a reached file changes, not when another file does', () => {
    const dir = join(scratch, 'src');
    mkdirSync(join(dir, 'lib'), { recursive: true });
    // './lib' is also a directory: its index.ts is the file, not the directory itself.
    writeFileSync(
      join(dir, 'entry.ts'),
      "import { a } from './lib/a.js';\nimport './lib';\nexport const x = a;\n",
    );
    writeFileSync(join(dir, 'lib', 'index.ts'), 'export {};\n');
    writeFileSync(join(dir, 'lib', 'a.ts'), "import type { B } from '../b.js';\nexport const a = 1 as B;\n");
    writeFileSync(join(dir, 'b.ts'), 'export type B = number;\n');
    writeFileSync(join(dir, 'unrelated.ts'), 'export const u = 1;\n');
    const entry = join(dir, 'entry.ts');
    const k0 = workflowBundleKey(entry, scratch);
    writeFileSync(join(dir, 'unrelated.ts'), 'export const u = 2;\n');
    expect(workflowBundleKey(entry, scratch)).toBe(k0);
    writeFileSync(join(dir, 'b.ts'), 'export type B = 1 | 2;\n');
    const k1 = workflowBundleKey(entry, scratch);
    expect(k1).not.toBe(k0);
    writeFileSync(join(dir, 'lib', 'a.ts'), "import type { B } from '../b.js';\nexport const a = 2 as B;\n");
    const k2 = workflowBundleKey(entry, scratch);
    expect(k2).not.toBe(k1);
    writeFileSync(join(dir, 'lib', 'index.ts'), 'export const i = 1;\n');
    expect(workflowBundleKey(entry, scratch)).not.toBe(k2);
  });

  it('builds once, then loads the stored bundle', async () => {
    const cache = join(scratch, 'cache');
    const first = await cachedWorkflowBundle(workflowsPath(), PROJECT_ROOT, cache);
    expect(first.built).toBe(true);
    expect(first.path).not.toBeNull();
    expect(existsSync(first.path!)).toBe(true);
    expect(readFileSync(first.path!, 'utf8')).toContain('sweepWorkflow');
    const second = await cachedWorkflowBundle(workflowsPath(), PROJECT_ROOT, cache);
    expect(second).toEqual({ option: { codePath: first.path }, path: first.path, built: false });
  });

  it('bundles in memory when the cache directory cannot be created', async () => {
    const file = join(scratch, 'not-a-directory');
    writeFileSync(file, '');
    const r = await cachedWorkflowBundle(workflowsPath(), PROJECT_ROOT, join(file, 'cache'));
    expect(r.path).toBeNull();
    expect(r.built).toBe(true);
    expect('code' in r.option && r.option.code.includes('sweepWorkflow')).toBe(true);
  });
});
