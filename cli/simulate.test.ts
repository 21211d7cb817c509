// `sgn simulate` as users run it: a few real processes for exit codes, stdout and stderr, and
// direct runSimulate() calls for the rest (same code path, no process start-up).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InputError } from '../sgn/util/errors.js';
import { runCli, type CliResult } from '../test/support/processes.js';
import { projectRoot } from '../test/support/reference.js';
import { runSimulate } from './simulate.js';
import { commandInputError, commandOutput } from '../test/support/command-harness.js';

const TOY = 'examples/games/scalar-toy.json';
const TANH = 'examples/games/tanh-2p.json';
const MARKOV = 'examples/games/markov-coordination.json';
const abs = (p: string): string => join(projectRoot, p);

const studyJson = z.object({
  integrator: z.enum(['euler', 'rk4', 'npg', 'epg']),
  multiplier: z.number().nullable(),
  h: z.number(),
  hCertified: z.number(),
  alpha: z.number(),
  beta: z.number(),
  weights: z.array(z.number()),
  predictedFactor: z.number().nullable(),
  flowFactor: z.number(),
  runs: z.number().int(),
  convergedFraction: z.number(),
  medianFactor: z.number().nullable(),
  worstFactor: z.number().nullable(),
  worstStepRatio: z.number().nullable(),
  metricMonotoneFraction: z.number(),
  euclideanGrowth: z.object({ median: z.number().nullable(), max: z.number().nullable() }),
  lyapunov: z
    .object({ medianFirst: z.number(), medianLast: z.number().nullable(), monotoneFraction: z.number() })
    .nullable(),
  stepGiven: z.boolean(),
  spectralRadius: z.number().nullable(),
});

const simulateText = (args: string[]): string => commandOutput(runSimulate, args);

const simulateJson = (args: string[]): z.infer<typeof studyJson> =>
  studyJson.parse(JSON.parse(simulateText([...args, '--json'])));

const inputError = (args: string[]): InputError => commandInputError(runSimulate, args, 'simulate');

const spawned: Record<string, Promise<CliResult>> = {};
beforeAll(() => {
  spawned.json = runCli(['simulate', TOY, '--multiplier', '0.5', '--seeds', '8', '--json'], {});
  spawned.negative = runCli(['simulate', TOY, '--multiplier', '-1'], {});
  spawned.npg = runCli(['simulate', TOY, '--integrator', 'npg'], {});
});

async function expectRefused(name: string, field: string): Promise<string> {
  const r = await spawned[name];
  expect(r.stdout).toBe('');
  expect(r.code).toBe(2);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr.startsWith(`sgn simulate: ${field}: `)).toBe(true);
  return r.stderr;
}

describe('sgn simulate', () => {
  it('--json prints exactly one JSON object (the mini-toy at c = 0.5)', async () => {
    const r = await spawned.json;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    const s = studyJson.parse(JSON.parse(r.stdout));
    expect(s.runs).toBe(8);
    // The certificate's own numbers: h = 0.5 x 2 alpha / beta^2, the Euler bound at that h.
    expect(s.hCertified).toBeCloseTo((2 * s.alpha) / s.beta ** 2, 12);
    expect(s.h).toBeCloseTo(0.5 * s.hCertified, 14);
    expect(s.predictedFactor!).toBeCloseTo(Math.sqrt(1 - 2 * s.h * s.alpha + s.h ** 2 * s.beta ** 2), 12);
    expect(s.convergedFraction).toBe(1);
    expect(s.worstStepRatio!).toBeLessThanOrEqual(s.predictedFactor!);
    expect(s.metricMonotoneFraction).toBe(1);
    expect(s.euclideanGrowth.max!).toBeGreaterThan(1);
  });

  it('the readable summary names h, h_certified, the factors and the Euclidean growth', () => {
    const text = simulateText([TOY, '--integrator', 'rk4', '--multiplier', '0.5', '--seeds', '4']);
    expect(text).toMatch(/^rk4 on /);
    expect(text).toMatch(/h = 0\.5 x h_certified = /);
    expect(text).toMatch(/converged: +4\/4/);
    expect(text).toMatch(/Euclidean growth:/);
    expect(text).not.toMatch(/Lyapunov/);
  });

  it('tanh: converged fraction falls from 1 to 0 as c grows past the stable range', () => {
    const f = (c: number): number =>
      simulateJson([TANH, '--multiplier', String(c), '--seeds', '8']).convergedFraction;
    expect(f(0.5)).toBe(1);
    expect(f(1)).toBe(1);
    expect(f(10)).toBe(0);
  });

  it('markov: NPG by default, with the KL Lyapunov value; --project keeps it converging', () => {
    const s = simulateJson([MARKOV, '--seeds', '6', '--multiplier', '0.5']);
    expect(s.integrator).toBe('npg');
    expect(s.convergedFraction).toBe(1);
    expect(s.lyapunov!.monotoneFraction).toBe(1);
    expect(s.worstFactor!).toBeLessThanOrEqual(s.predictedFactor!);
    const p = simulateJson([MARKOV, '--seeds', '4', '--integrator', 'euler', '--project', 'box:0.05']);
    expect(p.convergedFraction).toBe(1);
  });

  it.each([
    [['--multiplier', '0'], '--multiplier', /must be positive, got 0/],
    [['--multiplier', '-1'], '--multiplier', /must be positive, got -1/],
    [['--multiplier', 'x'], '--multiplier', /finite number/],
    [['--seeds', '0'], '--seeds', /positive integer/],
    [['--seeds', '2.5'], '--seeds', /positive integer/],
    [['--steps', '0'], '--steps', /positive integer/],
    [['--tol', '-1'], '--tol', /must be positive/],
    [['--spread', '0'], '--spread', /must be positive/],
    [['--integrator', 'npg'], '--integrator', /markov family only/],
    [
      ['--integrator', 'leapfrog'],
      '--integrator',
      /unknown integrator "leapfrog" \(known: euler, rk4, npg, epg\)/,
    ],
    [['--project', 'ball:1'], '--project', /box only/],
    [['--step', '0'], '--step', /must be positive, got 0/],
    [['--step', '0.1', '--multiplier', '2'], '--step', /cannot be given with --multiplier/],
    [['--start', 'cube'], '--start', /must be one of box, gaussian, m-sphere, got "cube"/],
    [['--scale', '2'], '--scale', /only used with --start/],
    [['--start', 'box', '--centre', 'x0'], '--centre', /equilibrium or origin/],
    [['--criterion', 'bounded'], '--bound', /is required with --criterion bounded/],
    [['--bound', '1'], '--bound', /only used with --criterion bounded/],
    [['--criterion', 'small'], '--criterion', /must be one of residual, residual-ratio, bounded/],
    [['--trace', 'x.json'], '--trace', /must end in .csv/],
    [['--trace-points', '10'], '--trace-points', /only used with --trace/],
    [['--trace', 'x.csv', '--trace-points', '1'], '--trace-points', /at least 2/],
    [['--trace', 'x.csv', '--trace-points', '5000'], '--trace-points', /at most 1000/],
  ])('refuses %j naming %s in one line', (flags, field, message) => {
    const e = inputError([abs(TOY), ...flags]);
    expect(e.field).toBe(field);
    expect(e.message).toMatch(message);
    expect(e.message).not.toMatch(/\n/);
  });

  it('a nonlinear game without a region is refused, naming --region; a zero radius too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sgn-simulate-'));
    try {
      const { region: _region, ...game } = JSON.parse(readFileSync(abs(TANH), 'utf8')) as Record<
        string,
        unknown
      >;
      const file = join(dir, 'tanh-no-region.json');
      writeFileSync(file, JSON.stringify(game));
      const e = inputError([file]);
      expect(e.field).toBe('--region');
      expect(e.message).toMatch(/certified on a region/);
      expect(inputError([file, '--region', 'box:0']).field).toBe('--region');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--step runs an uncertified game at the given h (h_certified 0) and reports rho of the step matrix', async () => {
    // H = [[1, 3], [-3, 1]]: eigenvalues 1 +- 3i (Euler threshold 0.2), L12 L21 = 9 > mu1 mu2: not certified.
    const dir = mkdtempSync(join(tmpdir(), 'sgn-simulate-'));
    try {
      const file = join(dir, 'uncertified.json');
      writeFileSync(
        file,
        JSON.stringify({ family: 'quadratic', preset: 'scalar', mu1: 1, mu2: 1, a: 3, b: -3 }),
      );
      expect(inputError([file]).message).toMatch(/no certified step to scale/);
      const inside = simulateJson([file, '--step', '0.1', '--seeds', '4']);
      expect(inside).toMatchObject({ h: 0.1, hCertified: 0, multiplier: null, stepGiven: true });
      expect(inside.convergedFraction).toBe(1);
      expect(inside.spectralRadius).toBeCloseTo(Math.hypot(0.9, 0.3), 14);
      expect(inside.predictedFactor).toBeNull();
      const past = simulateJson([file, '--step', '0.3', '--seeds', '4', '--steps', '500']);
      expect(past.convergedFraction).toBe(0);
      expect(past.spectralRadius).toBeCloseTo(Math.hypot(0.7, 0.9), 14);
      const rk4 = simulateJson([file, '--step', '0.1', '--integrator', 'rk4', '--seeds', '2']);
      expect(rk4.convergedFraction).toBe(1);
      expect(simulateText([file, '--step', '0.1', '--seeds', '2'])).toMatch(
        /h = 0\.1 \(given\)\s+\(h_certified = 0: not certified\)[\s\S]*rho = 0\.948683/,
      );
      // A certified game at --step: h as given, its multiple of h_certified reported.
      const toy = simulateJson([abs(TOY), '--step', '0.05', '--seeds', '2']);
      expect(toy.h).toBe(0.05);
      expect(toy.multiplier).toBeCloseTo(0.05 / toy.hCertified, 12);
      const r = await runCli(['simulate', file, '--step', '0.1', '--seeds', '2'], {});
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/converged:\s+2\/2/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--trace writes the thinned history of each run in long format (gaussian starts, residual-ratio)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sgn-simulate-trace-'));
    try {
      const file = join(dir, 'toy.csv');
      const args = [
        abs(TOY),
        '--seeds',
        '3',
        '--seed',
        '5',
        '--steps',
        '1000',
        '--start',
        'gaussian',
        '--scale',
        '2',
      ];
      const text = simulateText([
        ...args,
        '--criterion',
        'residual-ratio',
        '--trace',
        file,
        '--trace-points',
        '40',
      ]);
      expect(text).toMatch(/Gaussian with sigma 2 around x\*, seed 5/);
      expect(text).toMatch(/converged: +3\/3 \(residual-ratio <= 1e-8 within 1000 steps/);
      const [header, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
      expect(header).toBe('integrator,multiplier,step,run,k,t,residual,distance,metric_distance,lyapunov');
      const cells = rows.map((r) => r.split(','));
      for (const run of [0, 1, 2]) {
        const mine = cells.filter((c) => c[3] === String(run));
        expect(mine.length).toBeGreaterThan(5);
        expect(mine.length).toBeLessThanOrEqual(40);
        expect(mine[0][4]).toBe('0');
        // Residual-ratio: the run stops at its first step with ||F|| <= 1e-8 ||F(x_0)||, kept last.
        const last = mine[mine.length - 1];
        expect(Number(last[6])).toBeLessThanOrEqual(1e-8 * Number(mine[0][6]));
        for (const c of mine) expect(Number(c[5])).toBeCloseTo(Number(c[4]) * Number(c[2]), 12);
        expect(mine.every((c) => c[9] === '')).toBe(true);
      }
      // The starts are the ones the summary's seed gives: the same file again.
      const again = join(dir, 'again.csv');
      simulateText([...args, '--criterion', 'residual-ratio', '--trace', again, '--trace-points', '40']);
      expect(readFileSync(again, 'utf8')).toBe(readFileSync(file, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('markov NPG at 4.83 x eta_max (the paper): converged under --criterion bounded only', () => {
    const args = [MARKOV, '--multiplier', '4.83', '--seeds', '4', '--steps', '500', '--tol', '1e-6'];
    const start = ['--start', 'gaussian', '--scale', '0.01', '--centre', 'origin'];
    expect(simulateJson([...args, ...start]).convergedFraction).toBe(0);
    const text = simulateText([...args, ...start, '--criterion', 'bounded', '--bound', '1']);
    expect(text).toMatch(/converged: +4\/4 \(residual <= 0.000001 or distance <= 1 within 500 steps/);
  });

  it('as a process: exit 2 and one line naming the flag', async () => {
    expect(await expectRefused('negative', '--multiplier')).toMatch(/must be positive, got -1/);
    expect(await expectRefused('npg', '--integrator')).toMatch(/markov family only/);
  });
});
