/**
 * The sampled-Jacobians family: (1) a linear game's Jacobian is H everywhere, so a file of
 * samples of H must certify exactly as the quadratic game does (every number to 1e-12 relative,
 * at the optimal and at given weights, for 2 and 3 players); (2) the committed fixture
 * examples/games/sampled-2p.npz against NumPy's bounds over the same samples
 * (scripts/reference/sampled_jacobians.py: stored output always, live when NumPy is present) and
 * against the tanh game it was sampled from, certified at the same points (grid:3); (3) bad
 * files refused on one line naming the field.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStored, runPythonReference } from '../../test/support/python-reference.js';
import { projectRoot } from '../../test/support/reference.js';
import { parseGameSpec } from '../../formats/game-file.js';
import { readGameData } from '../../formats/sampled-file.js';
import { splitGameFile, parseRegionSection } from '../../formats/region-section.js';
import { readDataFile } from '../../formats/data-file.js';
import { buildGame } from './build.js';
import { certify, type Certificate } from '../certificate.js';
import { resolveRegion } from '../regions/resolve.js';
import { regionFields } from '../regions/region.js';
import { defaultRng } from '../random/generator.js';
import { InputError } from '../util/errors.js';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(1, Math.abs(b));

function expectSameCertificate(got: Certificate, want: Certificate, tol: number): void {
  const pairs: [string, number, number][] = [
    ['alpha', got.alpha, want.alpha],
    ['beta', got.beta, want.beta],
    ['eulerStep', got.eulerStep, want.eulerStep],
    ['rk4Step', got.rk4Step, want.rk4Step],
    ['gammaEuclidean', got.gammaEuclidean, want.gammaEuclidean],
    ['optimal.alpha', got.optimal.alpha, want.optimal.alpha],
    ['gainRadius', got.gainRadius, want.gainRadius],
    ['euclidean.beta', got.euclidean.beta ?? 0, want.euclidean.beta ?? 0],
  ];
  got.mu.forEach((m, i) => pairs.push([`mu[${i}]`, m, want.mu[i]]));
  got.L.forEach((row, i) => row.forEach((v, j) => pairs.push([`L[${i}][${j}]`, v, want.L[i][j]])));
  got.weights.forEach((w, i) => pairs.push([`weights[${i}]`, w, want.weights[i]]));
  got.optimal.weights.forEach((w, i) => pairs.push([`optimal.weights[${i}]`, w, want.optimal.weights[i]]));
  if (want.band) {
    pairs.push(['band.rMinus', got.band?.rMinus ?? NaN, want.band.rMinus]);
    if (Number.isFinite(want.band.rPlus)) pairs.push(['band.rPlus', got.band?.rPlus ?? NaN, want.band.rPlus]);
  }
  for (const [name, a, b] of pairs) expect(rel(a, b), `${name}: ${a} vs ${b}`).toBeLessThanOrEqual(tol);
  expect(got.certified).toBe(want.certified);
}

describe('samples of a linear game certify as the game itself', () => {
  const rng = defaultRng(5);
  it.each([
    [[2, 3], 0.3],
    [[2, 1, 2], 0.2],
  ])('dims %j, coupling scale %s', (dims, scale) => {
    const d = dims.reduce((s, k) => s + k, 0);
    const H = Array.from({ length: d }, (_, i) =>
      Array.from({ length: d }, (_, j) => (i === j ? 2 + rng.uniform() : scale * rng.normal())),
    );
    const quadratic = buildGame(parseGameSpec({ family: 'quadratic', dims, H }));
    // Three samples of the constant Jacobian, at three different points.
    const points = [0, 1, 2].map(() => Array.from({ length: d }, () => rng.normal()));
    const sampled = buildGame(
      parseGameSpec({ family: 'sampled-jacobians', dims, jacobians: [H, H, H], points }),
    );
    const want = certify(quadratic);
    const got = certify(sampled);
    expectSameCertificate(got, want, 1e-12);
    expect(got.region?.mode).toBe('sampled');
    expect(got.region?.kind).toBe('samples');
    expect(got.region?.points).toBe(3);
    expect(got.linear).toBeNull();
    // At given weights too (beta per weighting from the same samples).
    const w = dims.map((_, i) => 1 + 0.7 * i);
    expectSameCertificate(certify(sampled, { weights: w }), certify(quadratic, { weights: w }), 1e-12);
  });
});

interface Reference {
  equilibrium: number[];
  samples: number;
  mu: number[];
  L: number[][];
  gammaEuclidean: number;
}

describe('the committed fixture examples/games/sampled-2p.npz', () => {
  const path = join(projectRoot, 'examples', 'games', 'sampled-2p.npz');
  const cert = certify(buildGame(parseGameSpec(readGameData(path), 'game')));
  const dir = mkdtempSync(join(tmpdir(), 'sgn-sampled-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const stored = loadStored<Reference>('sgn/games/testdata/sampled-2p.json');
  const live = runPythonReference<Reference>('sampled_jacobians.py', [join(dir, 'live.npz')]);
  const sources: [string, Reference][] = [['stored', stored]];
  if (live.ok) sources.push(['live NumPy', live.data]);
  else console.warn(`sampled-2p: comparing with the stored NumPy values only (${live.reason})`);

  it.each(sources)('bounds equal NumPy over the same samples (%s), to 1e-12 relative', (_name, ref) => {
    expect(cert.region?.points).toBe(ref.samples);
    ref.mu.forEach((m, i) => expect(rel(cert.mu[i], m)).toBeLessThanOrEqual(1e-12));
    ref.L.forEach((row, i) => row.forEach((v, j) => expect(rel(cert.L[i][j], v)).toBeLessThanOrEqual(1e-12)));
    expect(rel(cert.gammaEuclidean, ref.gammaEuclidean)).toBeLessThanOrEqual(1e-12);
  });

  it('certifies as the tanh game it was sampled from does at the same 81 points (1e-9 relative)', () => {
    const tanhPath = join(projectRoot, 'examples', 'games', 'tanh-2p.json');
    const file = splitGameFile(readDataFile(tanhPath));
    const game = buildGame(parseGameSpec(file.game));
    const section = parseRegionSection(file.region, 'game.region');
    const region = resolveRegion(section.region, game, regionFields('game.region'));
    const tanh = certify(game, { region: { region, sampler: { kind: 'grid', perAxis: 3 } } });
    expect(tanh.region?.points).toBe(81);
    // The equilibria come from two Newton iterations (NumPy's, ours): equal to ~1e-15.
    expectSameCertificate(cert, tanh, 1e-9);
    expect(cert.certified).toBe(true);
    // The grid's centre is NumPy's equilibrium, where the file's F vanishes; the corners are far from it.
    expect(cert.region?.gradientNorms?.min).toBeLessThan(1e-12);
    expect(cert.region?.gradientNorms?.max).toBeGreaterThan(1);
  });
});

describe('bad sampled-jacobians files', () => {
  const message = (input: unknown): string => {
    try {
      parseGameSpec(input, 'game');
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as Error).message).not.toContain('\n');
      return (e as Error).message;
    }
    throw new Error('expected an InputError');
  };
  const J = [
    [1, 0],
    [0, 1],
  ];
  it.each([
    [{ dims: [1, 1], jacobians: [] }, 'game.jacobians: must hold at least one sample'],
    [{ dims: [1, 2], jacobians: [J] }, 'game.jacobians[0]: has 2 rows, expected 3 (the dims add up to 3)'],
    [{ dims: [1, 1], jacobians: [J, [[1, 0], [0]]] }, 'game.jacobians[1][1]: has 1 entries, expected 2'],
    [
      {
        dims: [1, 1],
        jacobians: [J],
        points: [
          [0, 0],
          [1, 1],
        ],
      },
      'game.points: has 2 rows, expected 1 (one per Jacobian)',
    ],
    [{ dims: [1, 1], jacobians: [J], gradients: [[0]] }, 'game.gradients[0]: has 1 entries, expected 2'],
    [{ dims: [2], jacobians: [J] }, 'game.dims: a game needs at least 2 players'],
    [{ dims: [1, 1], jacobians: [J], region: 'box:1' }, 'game.region: unknown field'],
  ])('%j', (fields, want) => {
    expect(message({ family: 'sampled-jacobians', ...fields })).toBe(want);
  });
});
