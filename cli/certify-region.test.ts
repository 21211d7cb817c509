// `sgn certify` on regions: --region / --sampler / --rigorous and the game file's region
// section, as certify.test.ts does it: two real processes for exit codes and streams, direct
// runCertify() calls for the rest.
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InputError } from '../sgn/util/errors.js';
import { runCli, type CliResult } from '../test/support/processes.js';
import { runCertify } from './certify.js';
import { commandInputError, commandOutput } from '../test/support/command-harness.js';

const TANH = 'examples/games/tanh-2p.json';
const TOY = 'examples/games/scalar-toy.json';
const LQ64 = 'examples/games/lq64.json';
const FIX = 'test/fixtures/regions';
const D40 = `${FIX}/tanh-d40.json`;

const regionJson = z.object({
  kind: z.enum(['box', 'ball']),
  centre: z.array(z.number()),
  centreSource: z.enum(['given', 'equilibrium']),
  radii: z.array(z.number().positive()),
  sampler: z.string().nullable(),
  points: z.number().int().positive(),
  mode: z.enum(['exact', 'sampled', 'rigorous']),
  inflation: z
    .object({
      jacobianLipschitz: z.number(),
      coveringRadius: z.number(),
      coveringMethod: z.enum(['exact', 'branch-and-bound']),
      coveringLower: z.number(),
      amount: z.number(),
    })
    .nullable(),
});
const certificateJson = z.object({
  certified: z.boolean(),
  mu: z.array(z.number()),
  L: z.array(z.array(z.number())),
  gammaEuclidean: z.number(),
  weights: z.array(z.number()),
  alpha: z.number(),
  beta: z.number(),
  optimal: z.object({ alpha: z.number(), weights: z.array(z.number()) }),
  region: regionJson.nullable(),
  reason: z.string().nullable(),
});
type CertificateJson = z.infer<typeof certificateJson>;

const certifyText = (args: string[]): string => commandOutput(runCertify, args);
const certifyJson = (args: string[]): CertificateJson =>
  certificateJson.parse(JSON.parse(certifyText([...args, '--json'])));

const inputError = (args: string[]): InputError => commandInputError(runCertify, args, 'certify');

const spawned: Record<string, Promise<CliResult>> = {};
beforeAll(() => {
  spawned.tanh = runCli(['certify', TANH, '--json', '--region', 'box:3'], {});
  spawned.vertices = runCli(['certify', D40, '--region', 'box:0.1', '--sampler', 'vertices'], {});
});

describe('the tanh example (region section: box:0.5 around the equilibrium, grid:5)', () => {
  it('certifies on its own region; the certificate records region, sampler, points and mode', () => {
    const c = certifyJson([TANH]);
    expect(c.certified).toBe(true);
    const r = c.region!;
    expect(r).toMatchObject({
      kind: 'box',
      radii: [0.5, 0.5],
      sampler: 'grid:5',
      points: 625,
      mode: 'sampled',
    });
    expect(r.centreSource).toBe('equilibrium');
    expect(r.inflation).toBeNull();
  });

  it('--region box:3 overrides the section and loses the certificate (as a process: exit 0, JSON)', async () => {
    const p = await spawned.tanh;
    expect(p.stderr).toBe('');
    expect(p.code).toBe(0);
    const c = certificateJson.parse(JSON.parse(p.stdout));
    expect(c.certified).toBe(false);
    expect(c.region!.radii).toEqual([3, 3]);
    expect(c.region!.centre).toEqual(certifyJson([TANH]).region!.centre);
    expect(c.reason).toMatch(/small-gain condition fails/);
  });

  it('per-player radii and a ball', () => {
    expect(certifyJson([TANH, '--region', 'box:0.5,0.25']).region!.radii).toEqual([0.5, 0.25]);
    const ball = certifyJson([TANH, '--region', 'ball:0.5', '--sampler', 'sobol:256']).region!;
    expect(ball).toMatchObject({ kind: 'ball', radii: [0.5, 0.5], sampler: 'sobol:256', points: 256 });
  });

  it('--rigorous: inflated bounds, the mode and the inflation in JSON and in the summary', () => {
    const sampled = certifyJson([TANH, '--sampler', 'grid:9']);
    const c = certifyJson([TANH, '--sampler', 'grid:9', '--rigorous']);
    expect(c.certified).toBe(true);
    const i = c.region!.inflation!;
    expect(c.region!.mode).toBe('rigorous');
    expect(i.coveringMethod).toBe('exact');
    expect(i.coveringRadius).toBeCloseTo(0.125, 14); // sqrt(4 (0.5 / 8)^2)
    for (let k = 0; k < 2; k++) expect(c.mu[k]).toBeCloseTo(sampled.mu[k] - i.amount, 12);
    expect(c.L[0][1]).toBeCloseTo(sampled.L[0][1] + i.amount, 12);
    expect(c.alpha).toBeLessThan(sampled.alpha);

    const text = certifyText([TANH, '--sampler', 'grid:9', '--rigorous']);
    expect(text).toMatch(/region: +box:0\.5 around the equilibrium \[1\.905, 2\.165, 2\.67, 2\.122\]/);
    expect(text).toMatch(
      /bounds: +rigorous: grid:9 \(6561 points\) inflated by 0\.3399\d* = Lip\(J\) 2\.7197 x covering radius 0\.125$/m,
    );
    expect(certifyText([TANH])).toMatch(/bounds: +sampled: min\/max over grid:5 \(625 points\), an estimate/);
  });

  it('--rigorous with a sampler too coarse to keep the certificate says so in its reason', () => {
    const c = certifyJson([TANH, '--sampler', 'sobol:1024', '--rigorous']);
    expect(c.certified).toBe(false);
    expect(c.region!.inflation!.coveringMethod).toBe('branch-and-bound');
    expect(c.reason).toMatch(/bounds inflated by 0\.7\d+ in the rigorous mode/);
  });
});

describe('linear games with a region', () => {
  it('the scalar toy: SGN certifies while the Euclidean test fails; closed forms', () => {
    const [mu1, mu2, a, b] = [1, 1, 10, 0.05]; // the paper's mini-toy (experiments/quadratic_phase.py)
    const c = certifyJson([TOY]);
    expect(c.certified).toBe(true);
    expect(c.gammaEuclidean).toBeCloseTo(Math.sqrt(mu1 * mu2) - (a + b) / 2, 12); // -4.025 < 0
    expect(c.optimal.alpha).toBeCloseTo(1 - Math.sqrt((a * b) / (mu1 * mu2)), 12);
    expect(c.optimal.weights[1] / c.optimal.weights[0]).toBeCloseTo(a / b, 10);
    expect(c.region).toBeNull();
    expect(certifyText([TOY])).toContain('Euclidean margin:   -4.025 (the classical test fails)');
  });

  it('lq64 on a region: the same numbers, recorded as exact with one Jacobian', () => {
    const plain = certifyJson([LQ64]);
    const c = certifyJson([LQ64, '--region', 'box:1', '--rigorous']);
    expect(c.alpha).toBe(plain.alpha);
    expect(c.beta).toBe(plain.beta);
    expect(c.region).toMatchObject({ mode: 'exact', points: 1, sampler: null, centreSource: 'equilibrium' });
    expect(certifyText([LQ64, '--region', 'box:1'])).toContain(
      'bounds:             exact on the region (linear game: J is constant)',
    );
    expect(certifyText([LQ64])).not.toContain('region:');
  });

  it('a nonlinear game without a region: the summary says the bounds are at x = 0 only', () => {
    expect(certifyText([D40])).toContain(
      'region:             none: bounds at x = 0 only (give --region for bounds on a region)',
    );
    expect(certifyJson([D40]).region).toBeNull();
  });

  it('a region section given as text', () => {
    expect(certifyJson([`${FIX}/region-string.json`]).region!.radii).toEqual([0.1, 0.2]);
  });
});

describe('bad region options: an InputError naming the flag or field', () => {
  const cases: [args: string[], field: string, says: RegExp][] = [
    [[TANH, '--region', 'box:-1'], '--region', /radius must be a positive finite number, got -1/],
    [[TANH, '--region', 'box:0'], '--region', /got 0/],
    [[TANH, '--region', 'cube:1'], '--region', /unknown region "cube"/],
    [[TANH, '--region', '0.5'], '--region', /must be box:R/],
    [[TANH, '--region', 'ball:0.1,0.2'], '--region', /a ball has one radius/],
    [[TANH, '--region', 'box:1,2,3'], '--region', /has 3 radii, expected 1 or 2/],
    [[TANH, '--sampler', 'grid:0'], '--sampler', /grid points per axis must be a positive integer, got "0"/],
    [[TANH, '--sampler', 'random:-5'], '--sampler', /must be a positive integer/],
    [[TANH, '--sampler', 'lattice:8'], '--sampler', /unknown sampler "lattice"/],
    [[TANH, '--sampler', 'grid:20'], '--sampler', /grid:20 needs 20\^4 points in d = 4/],
    [[TANH, '--region', 'ball:1', '--sampler', 'vertices'], '--sampler', /vertices needs a box region/],
    [
      [D40, '--region', 'box:0.1', '--sampler', 'vertices'],
      '--sampler',
      /vertices needs 2\^40 points in d = 40/,
    ],
    [[D40, '--region', 'box:0.1', '--sampler', 'sobol:64'], '--sampler', /up to 32 dimensions/],
    [[TOY, '--sampler', 'grid:3'], '--sampler', /needs a region/],
    [[TOY, '--rigorous'], '--rigorous', /needs a region/],
    [[`${FIX}/region-negative-radius.json`], 'game.region.radius', /must be positive/],
    [[`${FIX}/region-unknown-field.json`], 'game.region.radious', /unknown field/],
    [[`${FIX}/region-bad-sampler.json`], 'game.region.sampler', /grid points per axis/],
    [[`${FIX}/region-both-centres.json`], 'game.region.center', /either centre or center/],
    [[`${FIX}/region-short-centre.json`], 'game.region.centre', /has 1 entries, expected 2/],
    [[`${FIX}/region-kind.json`], 'game.region.kind', /must be one of: box, ball/],
    [[`${FIX}/unknown-preset.json`], 'game.preset', /unknown preset \(known: scalar\)/],
    [[`${FIX}/tanh-bad-coupling.json`], 'game.couplings[0].A', /has 1 columns, expected 2/],
  ];
  for (const [args, field, says] of cases) {
    it(`${args.join(' ')}: ${field}`, () => {
      const e = inputError(args);
      expect(e.field).toBe(field);
      expect(e.message.startsWith(`${field}: `)).toBe(true);
      expect(e.message).not.toMatch(/\n/);
      expect(e.problem).toMatch(says);
    });
  }

  it('as a process: --sampler vertices in d = 40 exits 2 with one line naming --sampler', async () => {
    const r = await spawned.vertices;
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^sgn certify: --sampler: vertices needs 2\^40 points in d = 40, over the limit of 65536/,
    );
  });
});
