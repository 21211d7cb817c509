/**
 * The sweep specification (YAML or JSON), validated with zod. Every error is an InputError
 * naming its path from `spec` (e.g. `spec.game.lambda.linspace[2]: must be an integer`).
 * Checks that need the game itself (players, game-file contents) live in resolve.ts.
 */
import { EXECUTION_DEFAULTS } from './execution.js';
import { z } from 'zod';
import { InputError } from '../sgn/util/errors.js';
import { inputErrorFromZod } from '../formats/zod-errors.js';
import { START_DISTRIBUTIONS } from '../sgn/experiments/start-distribution.js';
import { CONVERGENCE_CRITERIA } from '../sgn/experiments/convergence.js';
import { MAX_TRACE_POINTS } from '../sgn/experiments/trace.js';
import { AXIS_KINDS, checkAxis, checkAxisPositive, type Axis, type AxisIssue } from './axes.js';

export const SPEC_ROOT = 'spec';
export const SWEEP_KINDS = ['certify', 'stepsize', 'both'] as const;
export type SweepKind = (typeof SWEEP_KINDS)[number];
/** npg / epg (natural / Euclidean policy gradient) are for the markov family only (resolve.ts checks). */
export const INTEGRATORS = ['euler', 'rk4', 'npg', 'epg'] as const;
export type Integrator = (typeof INTEGRATORS)[number];
export const GROUND_TRUTH = ['auto', 'always', 'never'] as const;
/** What stepsize.multipliers scale: the certified step (the default) or the exact stability threshold. */
export const STEP_BASES = ['certified', 'threshold'] as const;
export type StepBase = (typeof STEP_BASES)[number];
/**
 * Scalar game parameters that may be swept (matrices and dims cannot): quadratic (lambda, a, b,
 * mu0, coupling, seed), its scalar preset (mu1, mu2, a, b), tanh (kappa) and markov (gamma, tau).
 */
export const GAME_AXIS_FIELDS = [
  'lambda',
  'a',
  'b',
  'mu0',
  'coupling',
  'seed',
  'mu1',
  'mu2',
  'kappa',
  'gamma',
  'tau',
] as const;
export type GameAxisField = (typeof GAME_AXIS_FIELDS)[number];
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

// ---- building blocks with one-line messages ('is required' when absent) --------------------

const need = (what: string) => (iss: { input: unknown }) =>
  iss.input === undefined ? 'is required' : `must be ${what}`;

const finite = z.number({ error: need('a finite number') });
const positive = finite.positive('must be > 0');
const integer = z.number({ error: need('an integer') }).int('must be an integer');
/** Seeds are NumPy's (numpy.random.default_rng(seed)): non-negative integers. */
const seedNumber = integer.min(0, 'must be >= 0 (a NumPy seed)');
const positiveInt = integer.positive('must be a positive integer');
const str = z.string({ error: need('a string') });
const list = <T extends z.ZodType>(item: T) => z.array(item, { error: need('a list') });
const obj = <S extends z.ZodRawShape>(shape: S) => z.strictObject(shape, { error: need('an object') });
const oneOfStrings = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: need(`one of: ${values.join(', ')}`) });

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Picks a schema from the input's shape, so errors come from the branch the user meant
 * (a plain zod union would report "Invalid input" for all branches at once).
 */
function byShape<T>(expected: string, pick: (v: unknown) => z.ZodType<T> | undefined) {
  return z.unknown().transform((v, ctx): T => {
    const schema = pick(v);
    if (!schema) {
      ctx.addIssue({ code: 'custom', message: v === undefined ? 'is required' : `must be ${expected}` });
      return z.NEVER;
    }
    const r = schema.safeParse(v);
    if (!r.success) {
      for (const iss of r.error.issues) {
        // Keep unknown keys recognisable (inputErrorFromZod reports them first, as "unknown field").
        if (iss.code === 'unrecognized_keys') {
          ctx.addIssue({
            code: 'unrecognized_keys',
            keys: iss.keys,
            path: [...iss.path],
            message: 'unknown field',
          });
        } else {
          ctx.addIssue({ code: 'custom', message: iss.message, path: [...iss.path] });
        }
      }
      return z.NEVER;
    }
    return r.data;
  });
}

const triple = (third: z.ZodType<number>, form: string) =>
  z.tuple([finite, finite, third], {
    error: (iss) =>
      iss.code === 'invalid_type' ? need(`a list ${form}`)(iss) : `must have exactly 3 entries ${form}`,
  });

const axisObject = obj({
  values: list(finite).optional(),
  linspace: triple(positiveInt, '[start, stop, count]').optional(),
  geomspace: triple(positiveInt, '[start, stop, count]').optional(),
  range: triple(finite, '[start, stop, step]').optional(),
});

const AXIS_HINT =
  'an axis: {values: [...]}, {linspace: [a, b, n]}, {geomspace: [a, b, n]} or {range: [a, b, step]}';

function addAxisIssue(ctx: z.RefinementCtx, issue: AxisIssue | null): boolean {
  if (!issue) return false;
  ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return true;
}

function makeAxisSchema(sign: 'any' | 'positive' | 'nonnegative') {
  return byShape<z.output<typeof axisObject>>(AXIS_HINT, (v) =>
    isPlainObject(v) ? axisObject : undefined,
  ).transform((a, ctx): Axis => {
    const kinds = AXIS_KINDS.filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          kinds.length === 0
            ? `must be ${AXIS_HINT}`
            : `has both ${kinds[0]} and ${kinds[1]}; an axis has exactly one`,
      });
      return z.NEVER;
    }
    const axis = { [kinds[0]]: (a as Record<string, unknown>)[kinds[0]] } as Axis;
    if (addAxisIssue(ctx, checkAxis(axis))) return z.NEVER;
    if (sign !== 'any' && addAxisIssue(ctx, checkAxisPositive(axis, sign === 'nonnegative'))) return z.NEVER;
    return axis;
  });
}

export const axisSchema = makeAxisSchema('any');
export const positiveAxisSchema = makeAxisSchema('positive');
const nonnegativeAxisSchema = makeAxisSchema('nonnegative');

export function isAxisObject(v: unknown): v is Record<string, unknown> {
  return isPlainObject(v) && AXIS_KINDS.some((k) => k in v);
}

const numberOrAxis = byShape<number | Axis>(`a finite number or ${AXIS_HINT}`, (v) =>
  typeof v === 'number' ? finite : isPlainObject(v) ? axisSchema : undefined,
);

/** A number or an axis (swept), or an array passed through to the family's own schema (not swept). */
function numberArrayOrAxis(arrayHint: string) {
  return byShape<unknown>(`a finite number, ${arrayHint} or ${AXIS_HINT}`, (v) =>
    typeof v === 'number'
      ? finite
      : Array.isArray(v)
        ? z.unknown()
        : isPlainObject(v)
          ? axisSchema
          : undefined,
  );
}

/**
 * game.file: one file, or an axis of files -- `{values: [a.json, b.npz]}` (in the order given) or
 * `{glob: 'checkpoints/*.npz'}` (the matches, sorted), paths relative to the spec's directory.
 */
export type GameFileSection = string | { values: string[] } | { glob: string };
const FILE_HINT = "a file name, {values: [a.json, b.json, ...]} or {glob: 'dir/*.npz'}";
const fileSchema = byShape<GameFileSection>(FILE_HINT, (v) => {
  if (typeof v === 'string') return str.min(1, 'must not be empty');
  if (!isPlainObject(v)) return undefined;
  if ('glob' in v) return obj({ glob: str.min(1, 'must not be empty') });
  if ('values' in v)
    return obj({
      values: list(str.min(1, 'must not be empty'))
        .min(1, 'must list at least one file')
        .superRefine((xs, ctx) => {
          const dup = xs.findIndex((x, i) => xs.indexOf(x) !== i);
          if (dup >= 0)
            ctx.addIssue({ code: 'custom', message: `repeats ${JSON.stringify(xs[dup])}`, path: [dup] });
        }),
    });
  return undefined;
});

// ---- sections -------------------------------------------------------------------------------

export const PERTURBATION_STREAMS = ['per-trial', 'shared'] as const;
export type PerturbationStream = (typeof PERTURBATION_STREAMS)[number];

/**
 * game.perturbation (sweep/perturbation.ts): eps and the trial number, each a number or an axis;
 * the noise stream's seed and how trials draw from it. structure and mode are checked with the
 * game (formats/game-file.ts).
 */
const perturbationSection = obj({
  eps: numberOrAxis,
  trial: byShape<number | Axis>(`an integer >= 0 or ${AXIS_HINT}`, (v) =>
    typeof v === 'number' ? integer.min(0, 'must be >= 0') : isPlainObject(v) ? axisSchema : undefined,
  ).default(0),
  seed: integer
    .min(0, 'must be >= 0 (a NumPy seed)')
    .refine(Number.isSafeInteger, 'must be below 2^53')
    .default(0),
  stream: oneOfStrings(PERTURBATION_STREAMS).default('per-trial'),
  structure: z.unknown().optional(),
  mode: z.unknown().optional(),
});
export type PerturbationSection = z.output<typeof perturbationSection>;

/**
 * The game section: the fields of sgn/games/spec.ts (their detailed types are checked by
 * parseGameSpec once the file is merged), scalar parameters possibly axes, plus `file`.
 */
const gameSchema = obj({
  file: fileSchema.optional(),
  family: z.unknown().optional(),
  name: z.unknown().optional(),
  generator: z.unknown().optional(),
  dims: z.unknown().optional(),
  H: z.unknown().optional(),
  c: z.unknown().optional(),
  Q1: z.unknown().optional(),
  Q2: z.unknown().optional(),
  R: z.unknown().optional(),
  a: numberOrAxis.optional(),
  b: numberOrAxis.optional(),
  lambda: numberOrAxis.optional(),
  mu0: numberOrAxis.optional(),
  // A matrix is passed through to parseGameSpec; only the scalar form can be swept.
  coupling: numberArrayOrAxis('an N x N matrix').optional(),
  seed: byShape<number | Axis>(`a non-negative integer or ${AXIS_HINT}`, (v) =>
    typeof v === 'number' ? seedNumber : isPlainObject(v) ? axisSchema : undefined,
  ).optional(),
  // The scalar preset of the quadratic family.
  preset: z.unknown().optional(),
  mu1: numberOrAxis.optional(),
  mu2: numberOrAxis.optional(),
  // The tanh family (kappa: a number, one per player, or an axis of the common value).
  Q: z.unknown().optional(),
  couplings: z.unknown().optional(),
  kappa: numberArrayOrAxis('a list of numbers').optional(),
  // The markov family.
  states: z.unknown().optional(),
  actions: z.unknown().optional(),
  gamma: numberOrAxis.optional(),
  tau: numberOrAxis.optional(),
  P: z.unknown().optional(),
  R2: z.unknown().optional(),
  start: z.unknown().optional(),
  normalisedReturn: z.unknown().optional(),
  fisher: z.unknown().optional(),
  // Noise on H (quadratic family), with eps and the trial as axes.
  perturbation: perturbationSection.optional(),
});

/**
 * The region the block bounds are taken over (sgn/regions/section.ts, whose parser checks every
 * field but the radius once resolve.ts has put the radius axis' first value in): the radius may
 * be an axis. `"box:0.5"` is accepted as a shorthand.
 */
const regionObject = obj({
  kind: z.unknown(),
  radius: byShape<number | number[] | Axis>(
    `a positive number, a list of them (one per player) or ${AXIS_HINT}`,
    (v) =>
      typeof v === 'number'
        ? positive
        : Array.isArray(v)
          ? list(positive).min(1, 'must list at least one radius')
          : isPlainObject(v)
            ? positiveAxisSchema
            : undefined,
  ),
  centre: z.unknown().optional(),
  center: z.unknown().optional(),
  start: z.unknown().optional(),
  sampler: z.unknown().optional(),
  rigorous: z.unknown().optional(),
});
const REGION_HINT = "a region: {kind: box|ball, radius: <number or axis>, sampler: ...} or 'box:R'";
const regionSchema = byShape<string | z.output<typeof regionObject>>(REGION_HINT, (v) =>
  typeof v === 'string' ? str : isPlainObject(v) ? regionObject : undefined,
);
export type SweepRegionSection = z.output<typeof regionSchema>;

const WEIGHTS_HINT = "'optimal', {fixed: [w1, w2, ...]} or {ratio: <axis of w2/w1>}";
const weightsSchema = byShape<'optimal' | { fixed: number[] } | { ratio: Axis }>(WEIGHTS_HINT, (v) => {
  if (typeof v === 'string') return z.literal('optimal', { error: `must be ${WEIGHTS_HINT}` });
  if (!isPlainObject(v)) return undefined;
  if ('fixed' in v) return obj({ fixed: list(positive).min(1, 'must list one weight per player') });
  if ('ratio' in v) return obj({ ratio: positiveAxisSchema });
  return undefined;
});

const certifySchema = obj({
  c4: positive.default(2.5),
  groundTruth: oneOfStrings(GROUND_TRUTH).default('auto'),
});

// A plain list is the axis {values: list}; its issues keep the list's own paths.
const multiplierList = list(positive)
  .min(1, 'must list at least one multiplier')
  .transform((values, ctx): Axis => {
    const issue = checkAxis({ values });
    if (issue) {
      ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path.slice(1) });
      return z.NEVER;
    }
    return { values };
  });

export const START_CENTRES = ['equilibrium', 'origin'] as const;

/** stepsize.start: the distribution of the initial points (sgn/experiments/start-distribution.ts). */
const startSection = obj({
  distribution: oneOfStrings(START_DISTRIBUTIONS),
  scale: positive.default(1),
  /** A NumPy seed shared by every game; absent: each game's own, derived from its key. */
  seed: seedNumber.refine(Number.isSafeInteger, 'must be below 2^53').optional(),
  centre: oneOfStrings(START_CENTRES).default('equilibrium'),
});

/** stepsize.converged: the convergence criterion (sgn/experiments/convergence.ts); tol defaults to stepsize.tolerance. */
const convergedSection = obj({
  criterion: oneOfStrings(CONVERGENCE_CRITERIA),
  tol: positive.optional(),
  bound: positive.optional(),
}).superRefine((c, ctx) => {
  if (c.criterion === 'bounded' && c.bound === undefined)
    ctx.addIssue({ code: 'custom', message: 'is required when criterion is "bounded"', path: ['bound'] });
  if (c.criterion !== 'bounded' && c.bound !== undefined)
    ctx.addIssue({ code: 'custom', message: 'is only used when criterion is "bounded"', path: ['bound'] });
});

/** stepsize.trace: keep each run's history at this many steps at most. */
const traceSection = obj({
  points: integer
    .min(2, 'must be at least 2 (the first and the last step)')
    .max(MAX_TRACE_POINTS, `must be at most ${MAX_TRACE_POINTS}`),
});

const stepsizeSchema = obj({
  integrators: list(oneOfStrings(INTEGRATORS))
    .min(1, 'must list at least one integrator')
    .superRefine((xs, ctx) => {
      const dup = xs.findIndex((x, i) => xs.indexOf(x) !== i);
      if (dup >= 0)
        ctx.addIssue({ code: 'custom', message: `repeats ${JSON.stringify(xs[dup])}`, path: [dup] });
    }),
  /** Steps as multiples of `of` (the certified step unless of: threshold)... */
  multipliers: byShape<Axis>(`a list of positive numbers or ${AXIS_HINT}`, (v) =>
    Array.isArray(v) ? multiplierList : isPlainObject(v) ? positiveAxisSchema : undefined,
  ).optional(),
  of: oneOfStrings(STEP_BASES).optional(),
  /** ...or absolute steps h (h = 0 allowed: rho = 1 there, as the paper's grids start). */
  h: byShape<Axis>(AXIS_HINT, (v) => (isPlainObject(v) ? nonnegativeAxisSchema : undefined)).optional(),
  steps: positiveInt.default(400),
  /** 0: no trajectories, only what the spectrum gives (rho of the step matrices, linear games). */
  seeds: integer.min(0, 'must be a non-negative integer').default(4),
  spread: positive.default(1),
  tolerance: positive.default(1e-6),
  weights: z
    .literal('optimal', { error: "must be 'optimal' (step-size runs use the optimal weights)" })
    .default('optimal'),
  // Absent: the starts, criterion and (no) traces of earlier sweeps, whose hashes stay the same.
  start: startSection.optional(),
  converged: convergedSection.optional(),
  trace: traceSection.optional(),
});

const executionSchema = obj({
  batchSize: positiveInt.max(100_000, 'must be at most 100000').default(EXECUTION_DEFAULTS.batchSize),
  concurrency: positiveInt.max(256, 'must be at most 256').default(EXECUTION_DEFAULTS.concurrency),
  /** Seconds a cell may compute (a week at most: a timer longer than ~24 days would overflow). */
  cellTimeout: positive
    .max(604_800, 'must be at most 604800 (a week)')
    .default(EXECUTION_DEFAULTS.cellTimeout),
  maxAttempts: positiveInt.max(100, 'must be at most 100').default(EXECUTION_DEFAULTS.maxAttempts),
  maxWorkerDeaths: positiveInt.max(20, 'must be at most 20').default(EXECUTION_DEFAULTS.maxWorkerDeaths),
  heartbeatTimeout: positive
    .min(2, 'must be at least 2 (seconds)')
    .max(3600, 'must be at most 3600')
    .default(EXECUTION_DEFAULTS.heartbeatTimeout),
});

export const sweepSpecSchema = obj({
  id: str.regex(ID_PATTERN, `must match ${ID_PATTERN.source}`).optional(),
  name: str.optional(),
  kind: oneOfStrings(SWEEP_KINDS),
  game: gameSchema,
  region: regionSchema.optional(),
  weights: weightsSchema.default('optimal'),
  certify: certifySchema.default({ c4: 2.5, groundTruth: 'auto' }),
  stepsize: stepsizeSchema.optional(),
  execution: executionSchema.default({ ...EXECUTION_DEFAULTS }),
  maxCells: positiveInt.optional(),
});

export type SweepSpec = z.output<typeof sweepSpecSchema>;
export type SweepGameSection = SweepSpec['game'];
export type StepsizeSection = NonNullable<SweepSpec['stepsize']>;

/** Validates a parsed spec object (structure and per-field rules only; see resolveSpec). */
export function parseSweepSpec(raw: unknown): SweepSpec {
  if (!isPlainObject(raw))
    throw new InputError(SPEC_ROOT, 'must be an object (a YAML mapping or a JSON object)');
  const r = sweepSpecSchema.safeParse(raw);
  if (!r.success) throw inputErrorFromZod(SPEC_ROOT, r.error);
  const spec = r.data;
  if (spec.kind !== 'certify' && !spec.stepsize) {
    throw new InputError(`${SPEC_ROOT}.stepsize`, `is required when kind is "${spec.kind}"`);
  }
  if (spec.kind === 'certify' && spec.stepsize) {
    throw new InputError(`${SPEC_ROOT}.stepsize`, 'is only used when kind is "stepsize" or "both"');
  }
  const s = spec.stepsize;
  if (s && s.h !== undefined && s.multipliers !== undefined)
    throw new InputError(
      `${SPEC_ROOT}.stepsize.h`,
      'cannot be given with multipliers: the step axis is either absolute (h) or relative (multipliers)',
    );
  if (s && s.h === undefined && s.multipliers === undefined)
    throw new InputError(
      `${SPEC_ROOT}.stepsize`,
      'needs a step axis: h (absolute steps, e.g. {linspace: [0, 3, 400]}) or multipliers (of the certified step, or with of: threshold of the exact threshold)',
    );
  if (s && s.h !== undefined && s.of !== undefined)
    throw new InputError(`${SPEC_ROOT}.stepsize.of`, 'applies to multipliers only; h is absolute');
  if (spec.kind === 'stepsize' && spec.weights !== 'optimal') {
    throw new InputError(
      `${SPEC_ROOT}.weights`,
      'must be \'optimal\' when kind is "stepsize" (step-size runs use the optimal weights; use kind "both" to also certify other weights)',
    );
  }
  return spec;
}
