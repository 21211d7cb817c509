/**
 * The game-file format (`sgn certify <game.json>`, and the `game` section of a sweep spec),
 * validated with zod so that every error names its field, into the shapes of sgn/games/spec.ts.
 */
import { z } from 'zod';
import type {
  ExplicitQuadraticSpec,
  GameSpec,
  GeneratedQuadraticSpec,
  PaperRandomQuadraticSpec,
  QuadraticSpec,
  ScalarPresetSpec,
  TanhSpec,
  TwoPlayerQuadraticSpec,
} from '../sgn/games/spec.js';
import { GENERATORS, PAPER_RANDOM_DEFAULTS } from '../sgn/games/spec.js';
import {
  MAX_SKIPPED_NORMALS,
  PERTURBATION_MODES,
  PERTURBATION_STRUCTURES,
  drawSize,
  type Perturbation,
} from '../sgn/games/perturbation.js';
import { InputError, shortValue } from '../sgn/util/errors.js';
import { parseMarkovSpec } from './markov-file.js';
import { parseSampledSpec } from './sampled-file.js';
import { inputErrorFromZod } from './zod-errors.js';
import type { SameType } from './same-type.js';

/** Entries beyond this overflow squared norms in the spectral kernels (1e154^2 > Number.MAX_VALUE). */
export const MAX_ENTRY = 1e150;
const finite = z
  .number()
  .refine(Number.isFinite, 'must be a finite number')
  .refine((x) => Math.abs(x) <= MAX_ENTRY, `must be at most ${MAX_ENTRY} in magnitude`);
const positiveInt = z.number().int('must be an integer').positive('must be positive');
const matrix = z.array(z.array(finite));
/** Seeds are NumPy's (sgn/random/generator.ts: numpy.random.default_rng(seed)). */
const seed = z
  .number()
  .int('must be an integer')
  .min(0, 'must be >= 0 (a NumPy seed)')
  .refine(Number.isSafeInteger, 'must be below 2^53');
const dims = z.array(positiveInt).min(1, 'must list at least one block');

/** F(x) = H x + c with blocks of sizes dims. */
export const explicitQuadraticSchema = z.strictObject({
  family: z.literal('quadratic'),
  name: z.string().optional(),
  dims: dims.min(2, 'a game needs at least 2 players'),
  H: matrix,
  c: z.array(finite).optional(),
});

/** The paper's two-player form: H = [[Q1, lambda a R], [lambda b R^T, Q2]]. */
export const twoPlayerQuadraticSchema = z.strictObject({
  family: z.literal('quadratic'),
  name: z.string().optional(),
  dims: z.array(positiveInt).length(2, 'the two-player form has exactly 2 blocks').optional(),
  Q1: matrix,
  Q2: matrix,
  R: matrix,
  a: finite.default(1),
  b: finite.default(1),
  lambda: finite.default(1),
  /** Informational (the reference file records the mu0 it was built with). */
  mu0: finite.optional(),
  c: z.array(finite).optional(),
});

const unknownGenerator = `unknown generator (known: ${GENERATORS.join(', ')})`;

/** Seeded generators: `clean` (Q_i = mu0 I, orthonormal couplings), `random` (Q_i = B^T B + mu0 I). */
export const generatedQuadraticSchema = z.strictObject({
  family: z.literal('quadratic'),
  name: z.string().optional(),
  generator: z.enum(['clean', 'random'], { error: unknownGenerator }),
  dims: dims.min(2, 'a game needs at least 2 players'),
  mu0: finite.default(1),
  /** Coupling scale: one number for every ordered pair, or an N x N matrix (diagonal ignored). */
  coupling: z.union([finite, matrix]).default(1),
  /** Overall multiplier on every coupling (the swept "coupling strength"). */
  lambda: finite.default(1),
  seed: seed.default(0),
});

/** The paper's random ensemble (sgn/games/spec.ts PaperRandomQuadraticSpec). */
export const paperRandomQuadraticSchema = z.strictObject({
  family: z.literal('quadratic'),
  name: z.string().optional(),
  generator: z.literal('paper-random'),
  dims: z
    .array(positiveInt)
    .length(2, 'the paper-random generator has exactly 2 blocks')
    .default([...PAPER_RANDOM_DEFAULTS.dims]),
  mu0: finite.default(PAPER_RANDOM_DEFAULTS.mu0),
  a: finite.default(PAPER_RANDOM_DEFAULTS.a),
  b: finite.default(PAPER_RANDOM_DEFAULTS.b),
  lambda: finite.default(1),
  seed: seed.default(PAPER_RANDOM_DEFAULTS.seed),
});

/**
 * The paper's scalar mini-toy: f1 = mu1 x1^2 / 2 + a x1 x2, f2 = mu2 x2^2 / 2 + b x1 x2, so
 * H = [[mu1, a], [b, mu2]] with one coordinate per player.
 */
export const scalarPresetSchema = z.strictObject({
  family: z.literal('quadratic'),
  name: z.string().optional(),
  preset: z.literal('scalar', { error: 'unknown preset (known: scalar)' }),
  mu1: finite,
  mu2: finite,
  a: finite,
  b: finite,
});

/**
 * f_i(x) = x_i^T Q_i x_i / 2 + sum_{j != i} x_i^T A_ij tanh(x_j) + kappa_i / 4 sum_k x_{i,k}^4
 * (+ c_i^T x_i): saturating couplings and stiffening own costs, so the block bounds depend on
 * the region (see tanh.ts).
 */
export const tanhSchema = z.strictObject({
  family: z.literal('tanh'),
  name: z.string().optional(),
  dims: dims.min(2, 'a game needs at least 2 players'),
  /** Own quadratic term per player: a d_i x d_i matrix, or a number q for q I. */
  Q: z.array(z.union([finite, matrix], { error: 'must be a number (q for q I) or a square matrix' })),
  /** A_ij with 1-based players i != j (as in the formula); pairs not listed are zero. */
  couplings: z.array(z.strictObject({ i: positiveInt, j: positiveInt, A: matrix })).default([]),
  /** Quartic stiffness: one number for every player, or one per player. */
  kappa: z.union([finite, z.array(finite)], { error: 'must be a number or a list of numbers' }).default(0),
  /** Linear term c_i^T x_i of each f_i, stacked (length d): moves the equilibrium off the origin. */
  c: z.array(finite).optional(),
});

/** A perturbation of a quadratic game (sgn/games/perturbation.ts). */
export const perturbationSchema = z.strictObject({
  eps: z
    .number({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be a finite number') })
    .refine(Number.isFinite, 'must be a finite number')
    .refine((x) => x >= 0, 'must be >= 0'),
  seed: z
    .number()
    .int('must be an integer')
    .min(0, 'must be >= 0 (a NumPy seed)')
    .refine(Number.isSafeInteger, 'must be below 2^53')
    .default(0),
  draw: z
    .number()
    .int('must be an integer')
    .min(0, 'must be >= 0 (0 is the first draw)')
    .refine(Number.isSafeInteger, 'must be below 2^53')
    .default(0),
  structure: z
    .enum(PERTURBATION_STRUCTURES, { error: `must be one of: ${PERTURBATION_STRUCTURES.join(', ')}` })
    .default('full'),
  mode: z
    .enum(PERTURBATION_MODES, { error: `must be one of: ${PERTURBATION_MODES.join(', ')}` })
    .default('add'),
});

// What each schema yields is exactly the shape the mathematics takes (sgn/games/spec.ts).
const schemasMatch: [
  SameType<z.infer<typeof explicitQuadraticSchema>, ExplicitQuadraticSpec>,
  SameType<z.infer<typeof twoPlayerQuadraticSchema>, TwoPlayerQuadraticSpec>,
  SameType<z.infer<typeof generatedQuadraticSchema>, GeneratedQuadraticSpec>,
  SameType<z.infer<typeof paperRandomQuadraticSchema>, PaperRandomQuadraticSpec>,
  SameType<z.infer<typeof scalarPresetSchema>, ScalarPresetSpec>,
  SameType<z.infer<typeof tanhSchema>, TanhSpec>,
  SameType<z.infer<typeof perturbationSchema>, Perturbation>,
] = [true, true, true, true, true, true, true];
void schemasMatch;

/** One parser per family: a new family is one entry here and one in build.ts. */
const FAMILY_PARSERS = {
  quadratic: parseQuadraticSpec,
  tanh: parseTanhSpec,
  markov: parseMarkovSpec,
  'sampled-jacobians': parseSampledSpec,
} satisfies Record<string, (obj: Record<string, unknown>, root: string) => GameSpec>;

export type Family = keyof typeof FAMILY_PARSERS;
export const FAMILIES = Object.keys(FAMILY_PARSERS) as Family[];

/** Validates a parsed game object; throws InputError naming the field (rooted at `root`). */
export function parseGameSpec(input: unknown, root = 'game'): GameSpec {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InputError(root, 'must be an object');
  }
  const obj = input as Record<string, unknown>;
  if (obj.family === undefined)
    throw new InputError(`${root}.family`, `is required (one of: ${FAMILIES.join(', ')})`);
  if (typeof obj.family !== 'string' || !Object.hasOwn(FAMILY_PARSERS, obj.family)) {
    throw new InputError(
      `${root}.family`,
      `unknown family ${shortValue(obj.family)} (known: ${FAMILIES.join(', ')})`,
    );
  }
  if (obj.family !== 'quadratic' && obj.perturbation !== undefined)
    throw new InputError(
      `${root}.perturbation`,
      `is for the quadratic family only (F = H x + c, one matrix H to perturb); the ${obj.family} family's Jacobian is not one matrix`,
    );
  return FAMILY_PARSERS[obj.family as Family](obj, root);
}

function parseQuadraticSpec(input: Record<string, unknown>, root: string): QuadraticSpec {
  const { perturbation: rawPerturbation, ...obj } = input;
  const spec = parseUnperturbed(obj, root);
  if (rawPerturbation === undefined) return spec;
  return { ...spec, perturbation: parsePerturbation(rawPerturbation, spec, `${root}.perturbation`) };
}

function parsePerturbation(raw: unknown, spec: QuadraticSpec, root: string): Perturbation {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new InputError(root, 'must be an object ({eps, seed, draw, structure, mode})');
  const parsed = perturbationSchema.safeParse(raw);
  if (!parsed.success) throw inputErrorFromZod(root, parsed.error);
  const p = parsed.data;
  if (p.mode === 'mix') {
    if (p.structure !== 'coupling')
      throw new InputError(
        `${root}.structure`,
        'must be coupling when mode is mix (mix blends each coupling block with noise of its own norm)',
      );
    if (p.eps > 1) throw new InputError(`${root}.eps`, `is ${p.eps}; a mix fraction must be in [0, 1]`);
  }
  const skipped = p.draw * drawSize(quadraticDims(spec), p.structure);
  if (skipped > MAX_SKIPPED_NORMALS)
    throw new InputError(
      `${root}.draw`,
      `is ${p.draw}: reaching it discards ${skipped} normal draws, more than ${MAX_SKIPPED_NORMALS}`,
    );
  return p;
}

/** The block sizes of a quadratic spec, in any of its forms. */
export function quadraticDims(spec: QuadraticSpec): number[] {
  if ('preset' in spec) return [1, 1];
  if ('Q1' in spec) return [spec.Q1.length, spec.Q2.length];
  return spec.dims;
}

function parseUnperturbed(obj: Record<string, unknown>, root: string): QuadraticSpec {
  if ('preset' in obj) {
    const parsed = scalarPresetSchema.safeParse(obj);
    if (!parsed.success) throw inputErrorFromZod(root, parsed.error);
    return parsed.data;
  }
  const schema =
    'generator' in obj
      ? obj.generator === 'paper-random'
        ? paperRandomQuadraticSchema
        : generatedQuadraticSchema
      : 'H' in obj
        ? explicitQuadraticSchema
        : twoPlayerQuadraticSchema;
  if (!('generator' in obj) && !('H' in obj) && !('Q1' in obj)) {
    throw new InputError(
      root,
      'a quadratic game needs "H" (explicit), "Q1"/"Q2"/"R" (two-player form), "generator" or "preset"',
    );
  }
  const parsed = schema.safeParse(obj);
  if (!parsed.success) throw inputErrorFromZod(root, parsed.error);
  checkShapes(parsed.data, root);
  return parsed.data;
}

function parseTanhSpec(obj: Record<string, unknown>, root: string): TanhSpec {
  const parsed = tanhSchema.safeParse(obj);
  if (!parsed.success) throw inputErrorFromZod(root, parsed.error);
  const spec = parsed.data;
  const n = spec.dims.length;
  const d = spec.dims.reduce((s, k) => s + k, 0);
  if (spec.Q.length !== n)
    throw new InputError(`${root}.Q`, `has ${spec.Q.length} entries, expected ${n} (one per player)`);
  spec.Q.forEach((q, i) => {
    if (Array.isArray(q)) checkMatrix(q, `${root}.Q[${i}]`, spec.dims[i], spec.dims[i]);
  });
  const seen = new Set<string>();
  spec.couplings.forEach(({ i, j, A }, k) => {
    const at = `${root}.couplings[${k}]`;
    if (i > n) throw new InputError(`${at}.i`, `is player ${i} but the game has ${n} players`);
    if (j > n) throw new InputError(`${at}.j`, `is player ${j} but the game has ${n} players`);
    if (i === j) throw new InputError(`${at}.j`, 'must differ from i (own terms go in Q and kappa)');
    if (seen.has(`${i},${j}`)) throw new InputError(at, `repeats the pair (${i}, ${j})`);
    seen.add(`${i},${j}`);
    checkMatrix(A, `${at}.A`, spec.dims[i - 1], spec.dims[j - 1]);
  });
  if (Array.isArray(spec.kappa) && spec.kappa.length !== n)
    throw new InputError(`${root}.kappa`, `has ${spec.kappa.length} entries, expected ${n} (one per player)`);
  if (spec.c && spec.c.length !== d)
    throw new InputError(`${root}.c`, `has ${spec.c.length} entries, expected ${d}`);
  return spec;
}

function checkMatrix(m: number[][], field: string, rows?: number, cols?: number): void {
  if (m.length === 0) throw new InputError(field, 'must not be empty');
  const c = m[0].length;
  m.forEach((row, i) => {
    if (row.length !== c)
      throw new InputError(`${field}[${i}]`, `has ${row.length} entries, expected ${c} like row 0`);
  });
  if (rows !== undefined && m.length !== rows)
    throw new InputError(field, `has ${m.length} rows, expected ${rows}`);
  if (cols !== undefined && c !== cols) throw new InputError(field, `has ${c} columns, expected ${cols}`);
}

function checkShapes(spec: QuadraticSpec, root: string): void {
  if ('preset' in spec) return;
  if ('H' in spec) {
    const n = spec.H.length;
    checkMatrix(spec.H, `${root}.H`);
    if (spec.H[0].length !== n)
      throw new InputError(`${root}.H`, `must be square, got ${n}x${spec.H[0].length}`);
    const total = spec.dims.reduce((s, d) => s + d, 0);
    if (total !== n) throw new InputError(`${root}.dims`, `add up to ${total} but H is ${n}x${n}`);
    if (spec.c && spec.c.length !== n)
      throw new InputError(`${root}.c`, `has ${spec.c.length} entries, expected ${n}`);
  } else if ('Q1' in spec) {
    const d1 = spec.Q1.length;
    const d2 = spec.Q2.length;
    checkMatrix(spec.Q1, `${root}.Q1`, undefined, d1);
    checkMatrix(spec.Q2, `${root}.Q2`, undefined, d2);
    checkMatrix(spec.R, `${root}.R`, d1, d2);
    if (spec.dims && (spec.dims[0] !== d1 || spec.dims[1] !== d2)) {
      throw new InputError(
        `${root}.dims`,
        `are [${spec.dims.join(', ')}] but Q1 is ${d1}x${d1} and Q2 is ${d2}x${d2}`,
      );
    }
    if (spec.c && spec.c.length !== d1 + d2) {
      throw new InputError(`${root}.c`, `has ${spec.c.length} entries, expected ${d1 + d2}`);
    }
  } else if (spec.generator !== 'paper-random') {
    const n = spec.dims.length;
    if (Array.isArray(spec.coupling)) checkMatrix(spec.coupling, `${root}.coupling`, n, n);
  }
}
