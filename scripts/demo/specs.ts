/**
 * The demo's sweep specs: the paper's LQ-64 study (examples/lq64-*.yaml) at full size, or
 * reduced copies written into the output folder (`--small`, SGN_DEMO_SCALE=small).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { PROJECT_ROOT } from '../../config/project-root.js';
import { readDataFile } from '../../formats/data-file.js';
import { resolveSpecFile } from '../../sweep/resolve.js';
import { type ResolvedSweep } from '../../sweep/resolved.js';

export type DemoScale = 'full' | 'small';

export interface DemoSpecs {
  readonly certifyFile: string;
  readonly stepsizeFile: string;
  readonly certify: ResolvedSweep;
  readonly stepsize: ResolvedSweep;
}

export const CERTIFY_SPEC = join(PROJECT_ROOT, 'examples', 'lq64-certify.yaml');
export const STEPSIZE_SPEC = join(PROJECT_ROOT, 'examples', 'lq64-stepsize.yaml');

type Raw = Record<string, unknown>;

function asRecord(v: unknown, what: string): Raw {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${what}: expected a mapping`);
  return v as Raw;
}

/** A reduced copy of `src` written to `dest`: game.file re-pointed, fields replaced by `edit`. */
function deriveSpec(src: string, dest: string, edit: (spec: Raw) => void): void {
  const spec = asRecord(readDataFile(src), src);
  const game = asRecord(spec.game, `${src}: game`);
  if (typeof game.file === 'string') {
    game.file = relative(dirname(dest), resolve(dirname(src), game.file));
  }
  edit(spec);
  mkdirSync(dirname(dest), { recursive: true });
  writeFileSync(
    dest,
    `# Reduced copy of ${relative(PROJECT_ROOT, src)} written by \`npm run demo -- --small\`.\n${stringify(spec)}`,
  );
}

/**
 * Small scale: lambda = linspace(0, 2.5, 6) (contains 1.0), 21 ratios over the same range,
 * 5 step multipliers, 200 steps, 2 seeds.
 */
export function demoSpecs(scale: DemoScale, outDir: string): DemoSpecs {
  if (scale === 'full') {
    return {
      certifyFile: CERTIFY_SPEC,
      stepsizeFile: STEPSIZE_SPEC,
      certify: resolveSpecFile(CERTIFY_SPEC),
      stepsize: resolveSpecFile(STEPSIZE_SPEC),
    };
  }
  const certifyFile = join(outDir, 'specs', 'lq64-certify.small.yaml');
  const stepsizeFile = join(outDir, 'specs', 'lq64-stepsize.small.yaml');
  deriveSpec(CERTIFY_SPEC, certifyFile, (spec) => {
    spec.name = 'LQ-64 timescale band (small)';
    asRecord(spec.game, 'game').lambda = { linspace: [0, 2.5, 6] };
    asRecord(spec.weights, 'weights').ratio = { geomspace: [0.1, 10000, 21] };
    spec.execution = { batchSize: 20, concurrency: 4 };
  });
  deriveSpec(STEPSIZE_SPEC, stepsizeFile, (spec) => {
    spec.name = 'LQ-64 step sizes (small)';
    asRecord(spec.game, 'game').lambda = { linspace: [0, 2.5, 6] };
    const stepsize = asRecord(spec.stepsize, 'stepsize');
    stepsize.multipliers = [0.25, 0.5, 1, 2, 4];
    stepsize.steps = 200;
    stepsize.seeds = 2;
    spec.execution = { batchSize: 2, concurrency: 4 };
  });
  return {
    certifyFile,
    stepsizeFile,
    certify: resolveSpecFile(certifyFile),
    stepsize: resolveSpecFile(stepsizeFile),
  };
}
