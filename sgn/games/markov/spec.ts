/**
 * The `markov` game-file format: a two-player tabular Markov game with softmax policies. Every
 * field is optional; the defaults are the paper's coordination game (2 states, 2 actions,
 * gamma = 0.9, tau = 1, start in state 0, see model.ts). Errors name the field.
 */
import { z } from 'zod';
import { InputError, inputErrorFromZod } from '../../util/errors.js';
import {
  PAPER_GAMMA,
  PAPER_TAU,
  markovModel,
  paperRewards,
  paperTransitions,
  type MarkovTables,
} from './model.js';
import { markovGame, type MarkovGame } from './markov-game.js';

/** Largest S x A: the Jacobian is 2 S A square, one exact tangent per column. */
export const MAX_STATE_ACTIONS = 256;
/** Rewards beyond this would swamp the entropy term in double precision anyway. */
export const MAX_REWARD = 1e12;
/** Beyond this a Fisher block's regularisation swamps it (its eigenvalues are at most 1). */
export const MAX_BLOCK_REGULARISATION = 1e3;
/** Tolerance on "sums to 1" for transition rows and the start distribution. */
export const DISTRIBUTION_TOLERANCE = 1e-9;

const finite = z
  .number()
  .refine(Number.isFinite, 'must be a finite number')
  .refine((x) => Math.abs(x) <= MAX_REWARD, `must be at most ${MAX_REWARD} in magnitude`);
const probability = z
  .number()
  .refine(Number.isFinite, 'must be a finite number')
  .refine((x) => x >= 0 && x <= 1, 'must be a probability in [0, 1]');
const rewardTable = z.array(z.array(z.array(finite)));

export const markovGameSchema = z.strictObject({
  family: z.literal('markov'),
  name: z.string().optional(),
  states: z.number().int('must be an integer').min(1, 'must be at least 1').optional(),
  actions: z
    .number()
    .int('must be an integer')
    .min(2, 'must be at least 2 (one action leaves no policy)')
    .optional(),
  gamma: z
    .number()
    .refine(Number.isFinite, 'must be a finite number')
    .refine((g) => g >= 0 && g < 1, 'must be in [0, 1)')
    .default(PAPER_GAMMA),
  tau: z
    .number()
    .refine(Number.isFinite, 'must be a finite number')
    .refine((t) => t >= 0, 'must be >= 0')
    .default(PAPER_TAU),
  /** P[s][a1][a2][s']: a distribution over next states for every state and joint action. */
  P: z.array(z.array(z.array(z.array(probability)))).optional(),
  /** R[s][a1][a2]: player 1's reward, and player 2's too unless R2 is given (cooperative). */
  R: rewardTable.optional(),
  R2: rewardTable.optional(),
  /** Start distribution over states (default: state 0). */
  start: z.array(probability).optional(),
  /** Scale the discounted return by 1 - gamma, as the paper's code does (default true). */
  normalisedReturn: z.boolean().default(true),
  /**
   * The Fisher geometry. blockRegularisation eps > 0 uses each player's Fisher block as G_i + eps I
   * (the certificate, natural policy gradient and its metric); 0, the default, is the paper's
   * convention (markov/sgn_theory.py: G_i unregularised, eigenvalues floored at 1e-6).
   */
  fisher: z
    .strictObject({
      blockRegularisation: z
        .number()
        .refine(Number.isFinite, 'must be a finite number')
        .refine((e) => e >= 0 && e <= MAX_BLOCK_REGULARISATION, `must be in [0, ${MAX_BLOCK_REGULARISATION}]`)
        .default(0),
    })
    .optional(),
});

export type MarkovSpec = z.infer<typeof markovGameSchema>;

/** Validates a parsed `markov` game object; throws InputError naming the field (rooted at `root`). */
export function parseMarkovSpec(obj: Record<string, unknown>, root = 'game'): MarkovSpec {
  const parsed = markovGameSchema.safeParse(obj);
  if (!parsed.success) throw inputErrorFromZod(root, parsed.error);
  markovTables(parsed.data, root);
  return parsed.data;
}

function expectLength(v: readonly unknown[], n: number, field: string, what: string): void {
  if (v.length !== n) throw new InputError(field, `has ${v.length} entries, expected ${n} (${what})`);
}

function checkSum(v: readonly number[], field: string): void {
  const sum = v.reduce((a, b) => a + b, 0);
  if (!(Math.abs(sum - 1) <= DISTRIBUTION_TOLERANCE))
    throw new InputError(field, `must sum to 1 (a probability distribution), sums to ${sum}`);
}

function checkRewards(R: MarkovSpec['R'] & object, S: number, A: number, field: string): void {
  expectLength(R, S, field, 'one per state');
  R.forEach((byA1, s) => {
    expectLength(byA1, A, `${field}[${s}]`, "one per player 1's action");
    byA1.forEach((byA2, a1) => expectLength(byA2, A, `${field}[${s}][${a1}]`, "one per player 2's action"));
  });
}

/**
 * The complete tables of a validated spec: defaults filled in (the paper's game), shapes and
 * distributions checked. Sizes come from `states`/`actions`, else from P, else 2 x 2.
 */
export function markovTables(spec: MarkovSpec, root = 'game'): MarkovTables {
  const S = spec.states ?? spec.P?.length ?? 2;
  const A = spec.actions ?? spec.P?.[0]?.length ?? 2;
  if (A < 2) throw new InputError(`${root}.P[0]`, 'needs at least 2 actions (one action leaves no policy)');
  if (S * A > MAX_STATE_ACTIONS)
    throw new InputError(root, `states x actions = ${S * A} exceeds the limit of ${MAX_STATE_ACTIONS}`);
  const paperSize = S === 2 && A === 2;
  if (!spec.P && !paperSize)
    throw new InputError(
      `${root}.P`,
      `is required when the game is not 2 states x 2 actions (got ${S} x ${A})`,
    );
  if (!spec.R && !paperSize)
    throw new InputError(
      `${root}.R`,
      `is required when the game is not 2 states x 2 actions (got ${S} x ${A})`,
    );
  const P = spec.P ?? paperTransitions();
  expectLength(P, S, `${root}.P`, 'one per state');
  P.forEach((byA1, s) => {
    expectLength(byA1, A, `${root}.P[${s}]`, "one per player 1's action");
    byA1.forEach((byA2, a1) => {
      expectLength(byA2, A, `${root}.P[${s}][${a1}]`, "one per player 2's action");
      byA2.forEach((next, a2) => {
        const field = `${root}.P[${s}][${a1}][${a2}]`;
        expectLength(next, S, field, 'a distribution over next states');
        checkSum(next, field);
      });
    });
  });
  const R = spec.R ?? paperRewards();
  checkRewards(R, S, A, `${root}.R`);
  if (spec.R2) checkRewards(spec.R2, S, A, `${root}.R2`);
  const start = spec.start ?? Array.from({ length: S }, (_, s) => (s === 0 ? 1 : 0));
  expectLength(start, S, `${root}.start`, 'one per state');
  checkSum(start, `${root}.start`);
  return {
    gamma: spec.gamma,
    tau: spec.tau,
    P,
    R,
    R2: spec.R2,
    start,
    normalisedReturn: spec.normalisedReturn,
    fisherRegularisation: spec.fisher?.blockRegularisation ?? 0,
  };
}

/** The game a validated spec describes. */
export function buildMarkovGame(spec: MarkovSpec): MarkovGame {
  return markovGame(markovModel(markovTables(spec)));
}
