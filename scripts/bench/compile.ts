/**
 * Bundles benchmark entries (with the project modules and packages they import) into plain
 * JavaScript files under dist/bench/ (gitignored), so that a benchmark child process and its
 * worker threads run on `node` alone:
 *   - tsx adds its own start-up (~0.2-0.3 s) to the whole-process time, and worker threads do
 *     not inherit its module hooks at all;
 *   - one bundled file loads several times faster than the ~150 ES modules behind it (zod alone
 *     is ~100 files), which a worker thread pays inside the timed region.
 * The bundler is esbuild (a dev dependency, the same version tsx runs on); bundling only
 * transpiles, `npx tsc --noEmit` does the type checking.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { projectRoot } from './common.js';

/**
 * Marks the project's own modules as free of side effects, so that modules a bundle imports
 * nothing from are left out (e.g. the other game families and zod, reachable through re-exports,
 * from the worker's bundle). Their top level only defines functions, constants and schemas.
 */
const projectModulesArePure: Plugin = {
  name: 'project-modules-are-pure',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      if (args.importer.includes('/node_modules/')) return undefined;
      const path = resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
      return existsSync(path) ? { path, sideEffects: false } : undefined;
    });
  },
};

export const bundleDir = join(projectRoot, 'dist', 'bench');

/** Bundles each entry (a .ts path) to dist/bench/<name>.js; returns the output paths and the time taken. */
export async function bundleEntries(entries: readonly string[]): Promise<{ outputs: string[]; ms: number }> {
  const t0 = performance.now();
  await build({
    entryPoints: [...entries],
    outdir: bundleDir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Keep the code as written (names in profiles, no minifier surprises in numeric code).
    minify: false,
    logLevel: 'warning',
    plugins: [projectModulesArePure],
  });
  const outputs = entries.map((e) => join(bundleDir, e.replace(/^.*\//, '').replace(/\.ts$/, '.js')));
  return { outputs, ms: performance.now() - t0 };
}
