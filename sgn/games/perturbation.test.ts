/**
 * Perturbations (perturbation.ts) against NumPy and the paper's noise study:
 * scripts/reference/paper_noise.py draws E as perturbation.ts defines it with NumPy, and runs the
 * paper's compute_noise_robustness (LQ_GAMES/figures.py) keeping every trial. The test compares with
 * the script live when NumPy is there (and the paper's study when SGN_PAPER_CODE points at its code),
 * and always with the stored copy testdata/paper-noise.json.
 *
 * Tolerances: E entries 1e-14 (|E_ij| <= 1; the draws are NumPy's bit for bit, the scaling differs by
 * the spectral norm's rounding); the study's L_ij, alpha_sgn and alpha_true 1e-9 relative (1e-12
 * absolute): the noise is the same, H differs from NumPy's by rounding.
 */
import { describe, expect, it } from 'vitest';
import { loadStored, runPythonReference, type LiveReference } from '../../test/support/python-reference.js';
import { parseGameSpec } from '../../formats/game-file.js';
import { readDataFile } from '../../formats/data-file.js';
import { projectRoot } from '../../test/support/reference.js';
import { join } from 'node:path';
import { fromRows, zeros, type DenseMatrix } from '../linalg/matrix.js';
import { spectralNorm } from '../linalg/spectral-norm.js';
import { certify } from '../certificate.js';
import { InputError } from '../util/errors.js';
import { buildGame } from './build.js';
import { additiveNoise, couplingNoises, perturbMatrix, type Perturbation } from './perturbation.js';

interface NoiseCase {
  seed: number;
  draw: number;
  dims: number[];
  structure: 'full' | 'coupling';
  E: number[][];
}
interface TrialRow {
  epsIndex: number;
  eps: number;
  trial: number;
  draw: number;
  L12: number;
  L21: number;
  alpha_true: number;
  alpha_sgn: number;
}
export interface NoiseRef {
  numpy: string;
  paper?: { repository: string; commit: string | null };
  noise: NoiseCase[];
  study?: {
    config: {
      lambda: number;
      a: number;
      b: number;
      mu1: number;
      mu2: number;
      w: [number, number];
      seed: number;
      trials: number;
      epsGrid: number[];
    };
    means: { eps_grid: number[]; alpha_true: number[]; alpha_sgn: number[]; ratio: number[] };
    trials: TrialRow[];
  };
}

const stored = loadStored<NoiseRef>('sgn/games/testdata/paper-noise.json');
const live: LiveReference<NoiseRef> = runPythonReference<NoiseRef>('paper_noise.py', [], {}, 300_000);
const sources: [string, NoiseRef][] = [[`stored (paper ${stored.paper?.commit?.slice(0, 7)})`, stored]];
if (live.ok) sources.push([`live (NumPy ${live.data.numpy}${live.data.study ? ', paper' : ''})`, live.data]);
else console.warn(`perturbation: comparing with the stored values only (${live.reason})`);

function maxError(actual: DenseMatrix, expected: number[][]): number {
  let err = 0;
  expected.forEach((row, i) =>
    row.forEach((v, j) => (err = Math.max(err, Math.abs(actual.data[i * actual.cols + j] - v)))),
  );
  return err;
}

function close(actual: number, expected: number, what: string, rel = 1e-9, abs = 1e-12): void {
  const err = Math.abs(actual - expected);
  if (!(err <= abs || err <= rel * Math.abs(expected)))
    expect.fail(`${what}: got ${actual}, expected ${expected} (error ${err.toExponential(2)})`);
}

const pert = (over: Partial<Perturbation>): Perturbation => ({
  eps: 0.5,
  seed: 0,
  draw: 0,
  structure: 'full',
  mode: 'add',
  ...over,
});

describe('perturbation: E against NumPy', () => {
  for (const [name, ref] of sources) {
    it(`E equals NumPy's draw, scaled to unit spectral norm (${name})`, () => {
      for (const c of ref.noise) {
        const E = additiveNoise(c.dims, pert({ seed: c.seed, draw: c.draw, structure: c.structure }));
        const at = `seed ${c.seed} draw ${c.draw} dims ${c.dims.join('+')} ${c.structure}`;
        const err = maxError(E, c.E);
        if (!(err <= 1e-14)) expect.fail(`${at}: max error ${err.toExponential(2)}`);
      }
    });
  }
});

describe('perturbation: the maths', () => {
  const dims = [3, 4, 2];
  const d = 9;
  const H = zeros(d, d);
  for (let k = 0; k < H.data.length; k++) H.data[k] = Math.sin(k + 1);

  it('E has spectral norm 1 (full and coupling) and is zero on the own blocks when structured', () => {
    for (const structure of ['full', 'coupling'] as const) {
      for (const seed of [0, 1, 99]) {
        const E = additiveNoise(dims, pert({ seed, structure }));
        close(spectralNorm(E, { method: 'dense' }).value, 1, `${structure} seed ${seed}: ||E||`, 1e-14);
      }
    }
    const E = additiveNoise(dims, pert({ seed: 5, structure: 'coupling' }));
    let own = 0;
    let cross = 0;
    const block = (i: number): number => (i < 3 ? 0 : i < 7 ? 1 : 2);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++)
        if (block(i) === block(j)) own = Math.max(own, Math.abs(E.data[i * d + j]));
        else cross = Math.max(cross, Math.abs(E.data[i * d + j]));
    expect(own).toBe(0);
    expect(cross).toBeGreaterThan(0.01);
    for (const N of couplingNoises(dims, pert({ seed: 5, structure: 'coupling', mode: 'mix' })))
      close(spectralNorm(N, { method: 'dense' }).value, 1, 'mix: ||N_ij||', 1e-14);
  });

  it('add: H + eps E exactly; coupling and mix leave the own blocks as they were; H is not touched', () => {
    const before = Float64Array.from(H.data);
    const p = pert({ eps: 0.3, seed: 2 });
    const E = additiveNoise(dims, p);
    const out = perturbMatrix(H, dims, p);
    out.data.forEach((v, k) => expect(v).toBe(H.data[k] + 0.3 * E.data[k]));
    for (const mode of ['add', 'mix'] as const) {
      const P = perturbMatrix(H, dims, pert({ eps: 0.7, seed: 3, structure: 'coupling', mode }));
      const offs = [0, 3, 7, 9];
      let changed = 0;
      for (let b = 0; b < 3; b++)
        for (let i = offs[b]; i < offs[b + 1]; i++)
          for (let j = 0; j < d; j++) {
            const same = P.data[i * d + j] === H.data[i * d + j];
            if (j >= offs[b] && j < offs[b + 1]) expect(same, `${mode} own (${i}, ${j})`).toBe(true);
            else if (!same) changed++;
          }
      expect(changed, mode).toBe(d * d - (9 + 16 + 4));
    }
    expect(H.data).toEqual(before);
  });

  it('mix: (1 - eps) A_ij + eps ||A_ij|| N_ij, which keeps ||A_ij|| at eps = 0 and 1', () => {
    const A = fromRows([
      [2, 0],
      [0, 1],
    ]);
    const H2 = zeros(4, 4);
    // H = [[I, A], [0.5 A^T, I]]
    for (let i = 0; i < 2; i++) {
      H2.data[i * 4 + i] = 1;
      H2.data[(i + 2) * 4 + i + 2] = 1;
      for (let j = 0; j < 2; j++) {
        H2.data[i * 4 + 2 + j] = A.data[i * 2 + j];
        H2.data[(j + 2) * 4 + i] = 0.5 * A.data[i * 2 + j];
      }
    }
    const p = pert({ eps: 1, seed: 11, structure: 'coupling', mode: 'mix' });
    const [N12, N21] = couplingNoises([2, 2], p);
    const P = perturbMatrix(H2, [2, 2], p);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 2; j++) {
        close(P.data[i * 4 + 2 + j], 2 * N12.data[i * 2 + j], 'A12 = ||A12|| N12', 1e-15);
        close(P.data[(i + 2) * 4 + j], 1 * N21.data[i * 2 + j], 'A21 = ||A21|| N21', 1e-15);
      }
    expect(perturbMatrix(H2, [2, 2], { ...p, eps: 0 }).data).toEqual(H2.data);
  });

  it('a draw k is the stream after k draws: draw 1 of seed s follows draw 0', () => {
    // The coupling draws of dims [1, 1] are two normals each: draw 1 is normals 2 and 3.
    const e0 = couplingNoises([1, 1], pert({ seed: 4, structure: 'coupling', mode: 'mix', draw: 0 }));
    const e1 = couplingNoises([1, 1], pert({ seed: 4, structure: 'coupling', mode: 'mix', draw: 1 }));
    // 1x1 matrices normalise to +-1: the signs of the stream's normals 0..3.
    const full = additiveNoise([2, 2], pert({ seed: 4, structure: 'full' })); // normals 0..15
    expect([...e0, ...e1].map((m) => m.data[0])).toEqual([0, 1, 2, 3].map((k) => Math.sign(full.data[k])));
  });
});

describe('perturbation: game files', () => {
  const toy = { family: 'quadratic', preset: 'scalar', mu1: 1, mu2: 1, a: 2, b: 0.1 };

  it('defaults: seed 0, draw 0, structure full, mode add; the game is perturbed', () => {
    const spec = parseGameSpec({ ...toy, perturbation: { eps: 0.25 } });
    expect(spec).toMatchObject({
      perturbation: { eps: 0.25, seed: 0, draw: 0, structure: 'full', mode: 'add' },
    });
    const E = additiveNoise([1, 1], pert({ eps: 0.25 }));
    const H = buildGame(spec).linear!.H;
    expect([...H.data]).toEqual([1, 2, 0.1, 1].map((v, k) => v + 0.25 * E.data[k]));
  });

  it.each([
    [{ eps: -0.1 }, 'game.perturbation.eps', />= 0/],
    [{}, 'game.perturbation.eps', /required/],
    [{ eps: 0.1, seed: -1 }, 'game.perturbation.seed', /NumPy seed/],
    [{ eps: 0.1, draw: 1.5 }, 'game.perturbation.draw', /integer/],
    [{ eps: 0.1, structure: 'diagonal' }, 'game.perturbation.structure', /full, coupling/],
    [{ eps: 0.1, mode: 'mul' }, 'game.perturbation.mode', /add, mix/],
    [{ eps: 0.1, mode: 'mix' }, 'game.perturbation.structure', /must be coupling when mode is mix/],
    [{ eps: 1.5, mode: 'mix', structure: 'coupling' }, 'game.perturbation.eps', /\[0, 1\]/],
    [{ eps: 0.1, draw: 1e8 }, 'game.perturbation.draw', /discards/],
    [{ eps: 0.1, sigma: 2 }, 'game.perturbation.sigma', /unknown field/],
    [3, 'game.perturbation', /must be an object/],
  ])('rejects perturbation %j', (perturbation, field, says) => {
    let err: unknown;
    try {
      parseGameSpec({ ...toy, perturbation });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).field).toBe(field);
    expect((err as InputError).message).toMatch(says);
  });

  it('is refused for the families whose Jacobian is not one matrix', () => {
    const tanh = readDataFile(join(projectRoot, 'examples/games/tanh-2p.json')) as Record<string, unknown>;
    expect(() => parseGameSpec({ ...tanh, perturbation: { eps: 0.1 } })).toThrow(
      /game\.perturbation: is for the quadratic family only/,
    );
  });
});

describe("perturbation: the paper's noise-robustness study", () => {
  const lq64 = readDataFile(join(projectRoot, 'examples/games/lq64.json')) as Record<string, unknown>;
  for (const [name, ref] of sources) {
    const study = ref.study;
    if (!study) continue;
    it(`every trial's L_ij, alpha_sgn and alpha_true equal the paper's (${name})`, () => {
      const c = study.config;
      expect(c.trials * c.epsGrid.length).toBe(study.trials.length);
      for (const r of study.trials) {
        const spec = parseGameSpec({
          ...lq64,
          lambda: c.lambda,
          a: c.a,
          b: c.b,
          perturbation: { eps: r.eps, seed: c.seed, draw: r.draw, structure: 'coupling', mode: 'mix' },
        });
        const cert = certify(buildGame(spec), { weights: c.w, groundTruth: 'always' });
        const at = `eps ${r.eps} trial ${r.trial}`;
        close(cert.L[0][1], r.L12, `${at}: L12`);
        close(cert.L[1][0], r.L21, `${at}: L21`);
        close(cert.alpha, r.alpha_sgn, `${at}: alpha_sgn`);
        close(cert.linear!.alphaTrue, r.alpha_true, `${at}: alpha_true`);
      }
    }, 120_000);
  }
});
